/** The flags Unify ships (rows of console.feature_flags, seeded by 0012_flags.sql). */
export const FLAG_KEYS = {
  employees: "USE_UNIFIED_EMPLOYEES_TABLE",
  audits: "USE_UNIFIED_AUDITS_TABLE",
} as const;

/** A flag key as stored: upper case, digits and underscores, as the environment variable that overrides it. */
export const FLAG_KEY_PATTERN = /^[A-Z][A-Z0-9_]*$/;
