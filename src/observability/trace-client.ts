/**
 * Every run this product sends to LangSmith goes through the scrubber (`scrub.ts`) first. The
 * tracer records a failed model call's error (an OpenAI 401 body that echoes the key, a URL with
 * a key in it, an Authorization header quoted by a proxy) before our own error handling sees it,
 * so scrubbing state and logs is not enough: the client that uploads the runs scrubs them.
 *
 * - `ScrubbingClient`: a langsmith `Client` whose every way in (`createRun`, `updateRun`, the
 *   batch and multipart ingest calls) scrubs every string of the run (inputs, outputs, error,
 *   events, extra/metadata, serialized, tags, name) before the client queues or serialises it;
 *   and its `anonymizer` (which the client applies to inputs, outputs, metadata and errors) is
 *   the same scrubber, as a second line for any path that bypasses those methods.
 * - `scrubbingTracer()`: a LangChainTracer on that client, one per process, to put in a run's
 *   `callbacks`: LangChain then adds no tracer of its own (it adds the environment's tracer only
 *   when no handler named `langchain_tracer` is there), and children inherit it.
 */
import { LangChainTracer } from "@langchain/core/tracers/tracer_langchain";
import { Client, type ClientConfig } from "langsmith";
import { scrubDeep } from "./scrub.js";

type CreateParams = Parameters<Client["createRun"]>;
type UpdateParams = Parameters<Client["updateRun"]>;
type BatchParams = Parameters<Client["batchIngestRuns"]>;
type MultipartParams = Parameters<Client["multipartIngestRuns"]>;

export class ScrubbingClient extends Client {
  constructor(config: ClientConfig = {}) {
    const blockOnRoot =
      process.env.LANGCHAIN_CALLBACKS_BACKGROUND === "false" ? { blockOnRootRunFinalization: true } : {};
    super({ ...blockOnRoot, ...config, anonymizer: (values) => scrubDeep(values) });
  }

  override createRun(run: CreateParams[0], options?: CreateParams[1]): Promise<void> {
    return super.createRun(scrubDeep(run), options);
  }

  override updateRun(runId: string, run: UpdateParams[1], options?: UpdateParams[2]): Promise<void> {
    return super.updateRun(runId, scrubDeep(run), options);
  }

  override batchIngestRuns(runs: BatchParams[0], options?: BatchParams[1]): Promise<void> {
    return super.batchIngestRuns(scrubDeep(runs), options);
  }

  override multipartIngestRuns(runs: MultipartParams[0], options?: MultipartParams[1]): Promise<void> {
    return super.multipartIngestRuns(scrubDeep(runs), options);
  }
}

let client: ScrubbingClient | undefined;
let tracer: LangChainTracer | undefined;

/** The process's scrubbing LangSmith client (created on first use, from the environment). */
export function scrubbingClient(): ScrubbingClient {
  client ??= new ScrubbingClient();
  return client;
}

/** The tracer to put in every traced run's `callbacks`. */
export function scrubbingTracer(): LangChainTracer {
  tracer ??= new LangChainTracer({ client: scrubbingClient() });
  return tracer;
}

/** Wait for the scrubbing client's queued uploads (none if it was never used). */
export async function awaitScrubbedTraces(): Promise<void> {
  await client?.awaitPendingTraceBatches();
}
