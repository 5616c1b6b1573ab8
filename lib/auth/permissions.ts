import type { Role } from "./roles";

/**
 * Who may do what: one table, read by `authorize` in every lib function that changes state, by
 * the server actions before they parse input, and by the Settings page that shows it.
 */
export const PERMISSIONS = {
  "phase.approve": { roles: ["lead"], label: "Approve a phase's plan" },
  "phase.reject": { roles: ["lead"], label: "Reject a phase's plan" },
  "phase.withdraw": { roles: ["lead"], label: "Withdraw a decision on a plan" },
  "phase.run": { roles: ["admin"], label: "Run a phase or one of its steps" },
  "phase.dry_run": { roles: ["admin"], label: "Dry-run a phase" },
  "phase.pause": { roles: ["admin"], label: "Pause a run" },
  "phase.resume": { roles: ["admin"], label: "Resume a run" },
  "phase.cancel": { roles: ["admin"], label: "Cancel a run" },
  "phase.rollback": { roles: ["admin"], label: "Roll back a phase" },
  "conflict.override": { roles: ["lead"], label: "Override a merge choice" },
  "conflict.withdraw": { roles: ["lead"], label: "Withdraw an override" },
  "conflict.decide_rule": { roles: ["lead"], label: "Decide a merge rule for every conflict of a field" },
  "conflict.withdraw_rule": { roles: ["lead"], label: "Withdraw a rule-wide merge decision" },
  "conflict.export": { roles: ["admin", "lead", "analyst"], label: "Export the conflicts as CSV" },
  "validation.run": { roles: ["admin", "lead"], label: "Run a validation suite" },
  "inventory.recompute": { roles: ["admin", "lead", "analyst"], label: "Recount the source inventory" },
  "operator.create": { roles: ["admin"], label: "Create an operator" },
  "operator.disable": { roles: ["admin"], label: "Disable an operator" },
  "operator.enable": { roles: ["admin"], label: "Enable an operator" },
  "operator.roles": { roles: ["admin"], label: "Change an operator's roles" },
  "operator.reset_password": { roles: ["admin"], label: "Reset an operator's password" },
  "analytics.refresh": { roles: ["admin"], label: "Refresh the analytics now" },
  "analytics.configure": { roles: ["admin"], label: "Set how often the analytics refresh" },
  "analytics.read": { roles: ["admin", "lead", "analyst"], label: "Read the analytics" },
  "analytics.export": { roles: ["admin", "lead", "analyst"], label: "Export analytics as CSV" },
  "run.read": { roles: ["admin", "lead", "analyst"], label: "Follow a run's progress" },
  "flag.read": { roles: ["admin", "lead", "analyst"], label: "See feature flags and their history" },
  "flag.toggle": { roles: ["admin"], label: "Turn a feature flag on or off" },
  "flag.rollback_legacy": { roles: ["admin"], label: "Roll back to legacy (every flag off)" },
  "flag.retire": { roles: ["admin"], label: "Retire a feature flag after Phase 5 (kept in history, no longer a switch)" },
  "archive.options": { roles: ["lead"], label: "Set Phase 5's plan options: views to keep, the archive's retention date" },
  "archive.drop": { roles: ["admin"], label: "Drop Phase 5's archive after its retention date" },
  "apikey.create": { roles: ["admin"], label: "Issue an OFREP API key" },
  "apikey.revoke": { roles: ["admin"], label: "Revoke an OFREP API key" },
  "employee.read": { roles: ["admin", "lead", "analyst"], label: "Look up an employee and their audit report" },
} as const satisfies Record<string, { roles: readonly Role[]; label: string }>;

export type Permission = keyof typeof PERMISSIONS;

export function rolesAllowed(permission: Permission): readonly Role[] {
  return PERMISSIONS[permission].roles;
}
