import { MemoryStore } from "../../src/store/memory/index.js";
import { storeContract } from "./contract.js";

storeContract("memory", { open: async () => new MemoryStore() });
