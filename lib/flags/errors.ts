/** Refusals a person can act on: the console shows the message, the CLI prints it alone. */
export class FlagError extends Error {
  override name = "FlagError";
  readonly expected = true;
}

export class FlagNotFoundError extends FlagError {
  override name = "FlagNotFoundError";
}

/** Turning a flag on while its phase has not succeeded (with a passing post-run validation). */
export class FlagInterlockError extends FlagError {
  override name = "FlagInterlockError";
}

export class ApiKeyError extends Error {
  override name = "ApiKeyError";
  readonly expected = true;
}
