// A lab worker thread's entry: registers tsx (a worker does not inherit the main thread's
// loader), then loads the TypeScript worker once.
import { register } from "tsx/esm/api";

register();
await import("./worker.ts");
