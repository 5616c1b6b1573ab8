/** Refusals a person can act on; `expected` makes the CLI and the console print the message only. */
export class EngineError extends Error {
  readonly expected = true;
  override name = "EngineError";
}

export class PlanNotApprovedError extends EngineError {
  override name = "PlanNotApprovedError";
}

export class RunAlreadyActiveError extends EngineError {
  override name = "RunAlreadyActiveError";
}

export class PhaseOrderError extends EngineError {
  override name = "PhaseOrderError";
}

export class RunStateError extends EngineError {
  override name = "RunStateError";
}

/** The legacy database no longer matches the plan a run executes: the phase needs a new approval. */
export class PlanChangedError extends EngineError {
  override name = "PlanChangedError";
}
