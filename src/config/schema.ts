/**
 * The `microseg.yaml` configuration schema. Empty for now (later issues add zones, data
 * classes, the CDE); unknown keys are errors so typos do not pass silently.
 */
import { z } from "zod";

/** The configuration file's schema. */
export const configSchema = z
  .object({
    /** Schema version of the file. */
    version: z.literal(1).optional(),
  })
  .strict();

/** A validated configuration. */
export type MicrosegConfig = z.infer<typeof configSchema>;
