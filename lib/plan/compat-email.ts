/**
 * An email column of a compatibility view, as the legacy row spelled it. A load keeps the legacy
 * spelling (`kept`) only where it differs from the linked employee's normalised email; the view
 * returns the kept spelling while it still names the linked employee (or nobody is linked: a NULL
 * or blank email, an orphan), the employee's normalised email otherwise. So the view's email is a
 * function of the row's link, and a row linked to the wrong employee reads back wrong — the
 * content check against the legacy table catches it.
 *
 * `u` is the quoted unified schema, `kept` a column of `row`, `employee` the joined employees alias.
 */
export function compatEmail(u: string, row: string, kept: string, employee: string): string {
  return `CASE WHEN ${row}.${kept} IS NULL THEN ${employee}.email_normalized
            WHEN ${employee}.id IS NULL OR ${u}.norm_email(${row}.${kept}) = ${employee}.email_normalized THEN ${row}.${kept}
            ELSE ${employee}.email_normalized END`;
}
