import { describe, expect, it } from "vitest";
import { templatePath } from "./http-template.js";

describe("templatePath", () => {
  it.each([
    ["/details/0", "/details/{id}"],
    ["/reviews/12/ratings", "/reviews/{id}/ratings"],
    ["/orders/3f2b8c1e-7a4d-4e2f-9b1a-0c5d6e7f8a9b", "/orders/{id}"],
    ["/blobs/9f86d081884c7d659a2feaa0c55ad015", "/blobs/{id}"],
    ["/metrics", "/metrics"],
    ["/productpage?u=normal", "/productpage"],
    ["/deadbeefdeadbeefcafe", "/deadbeefdeadbeefcafe"],
    ["/v1/users", "/v1/users"],
    ["", "/"],
  ])("%s → %s", (path, template) => {
    expect(templatePath(path)).toBe(template);
  });
});
