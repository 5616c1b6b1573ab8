import { z } from "zod";
import { recordActivity } from "@/lib/activity/log";
import { authorize, type Principal } from "@/lib/auth/authorize";
import { hashPassword, MIN_PASSWORD_LENGTH } from "@/lib/auth/password";
import { ROLES, type Role } from "@/lib/auth/roles";
import { prisma } from "@/lib/db/prisma";
import { hasNul, NUL_MESSAGE } from "@/lib/db/sql";
import type { Prisma } from "@/lib/generated/prisma/client";

/** A request about operators that cannot be carried out, with a message a person can act on. */
export class OperatorError extends Error {
  override name = "OperatorError";
}

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: "Enter a valid email address" }));

export const newOperatorSchema = z.object({
  email: emailSchema,
  name: z.string().trim().min(1, "Enter a name").max(200, "Name is too long").refine((s) => !hasNul(s), NUL_MESSAGE),
  roles: z.array(z.enum(ROLES)).min(1, "Choose at least one role"),
  password: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `Password must be at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(200, "Password is too long"),
});
export type NewOperator = z.input<typeof newOperatorSchema>;

export interface OperatorView {
  id: number;
  email: string;
  name: string;
  roles: Role[];
  disabledAt: Date | null;
  createdAt: Date;
}

const VIEW = { id: true, email: true, name: true, roles: true, disabledAt: true, createdAt: true } as const;

export function countOperators(): Promise<number> {
  return prisma().operator.count();
}

export function listOperators(): Promise<OperatorView[]> {
  return prisma().operator.findMany({ select: VIEW, orderBy: { email: "asc" } });
}

export async function createOperator(input: NewOperator, actor: Principal): Promise<OperatorView> {
  await authorize(actor, "operator.create", typeof input.email === "string" ? input.email : null);
  const data = newOperatorSchema.parse(input);
  const existing = await prisma().operator.findUnique({ where: { email: data.email } });
  if (existing) throw new OperatorError(`An operator with email ${data.email} already exists`);
  const created = await prisma().operator.create({
    data: { email: data.email, name: data.name, roles: data.roles, passwordHash: await hashPassword(data.password) },
    select: VIEW,
  });
  await recordActivity({
    actor,
    action: "operator.create",
    target: data.email,
    outcome: "ok",
    detail: { roles: data.roles },
  });
  return created;
}

async function findByEmail(email: string) {
  const normalised = emailSchema.parse(email);
  const operator = await prisma().operator.findUnique({ where: { email: normalised }, select: VIEW });
  if (!operator) throw new OperatorError(`No operator has the email ${normalised}`);
  return operator;
}

/**
 * Refuses any change that would leave the console without an active admin. Runs inside the
 * change's transaction after locking every active admin's row, so two admins demoting each other
 * at the same moment are serialised and the second is refused.
 */
async function assertAnotherActiveAdmin(tx: Prisma.TransactionClient, exceptId: number): Promise<void> {
  const admins = await tx.$queryRaw<{ id: number }[]>`
    SELECT id FROM console.operators WHERE disabled_at IS NULL AND 'admin' = ANY(roles) ORDER BY id FOR UPDATE`;
  if (!admins.some((a) => a.id !== exceptId)) throw new OperatorError("This is the last active admin: keep at least one");
}

export async function setOperatorDisabled(email: string, disabled: boolean, actor: Principal): Promise<OperatorView> {
  await authorize(actor, disabled ? "operator.disable" : "operator.enable", email);
  const operator = await findByEmail(email);
  if (disabled && actor.email !== null && operator.email === actor.email.trim().toLowerCase()) {
    throw new OperatorError("You cannot disable your own account");
  }
  const updated = await prisma().$transaction(async (tx) => {
    if (disabled && operator.roles.includes("admin")) await assertAnotherActiveAdmin(tx, operator.id);
    const row = await tx.operator.update({
      where: { id: operator.id },
      data: { disabledAt: disabled ? new Date() : null, updatedAt: new Date() },
      select: VIEW,
    });
    if (disabled) await tx.session.deleteMany({ where: { operatorId: operator.id } });
    return row;
  });
  await recordActivity({
    actor,
    action: disabled ? "operator.disable" : "operator.enable",
    target: operator.email,
    outcome: "ok",
  });
  return updated;
}

export const newPasswordSchema = newOperatorSchema.shape.password;

/**
 * Gives an operator a new password (the CLI's `users reset-password`): their open sessions end,
 * and earlier failed sign-ins stop counting against the account (lib/auth/login.ts).
 */
export async function resetOperatorPassword(email: string, password: string, actor: Principal): Promise<OperatorView> {
  await authorize(actor, "operator.reset_password", email);
  const operator = await findByEmail(email);
  const passwordHash = await hashPassword(newPasswordSchema.parse(password));
  const updated = await prisma().$transaction(async (tx) => {
    await tx.session.deleteMany({ where: { operatorId: operator.id } });
    return tx.operator.update({ where: { id: operator.id }, data: { passwordHash, updatedAt: new Date() }, select: VIEW });
  });
  await recordActivity({ actor, action: "operator.reset_password", target: operator.email, outcome: "ok" });
  return updated;
}

export async function setOperatorRoles(email: string, roles: Role[], actor: Principal): Promise<OperatorView> {
  await authorize(actor, "operator.roles", email);
  const parsed = z.array(z.enum(ROLES)).min(1, "Choose at least one role").parse(roles);
  const operator = await findByEmail(email);
  const updated = await prisma().$transaction(async (tx) => {
    if (operator.roles.includes("admin") && !parsed.includes("admin")) await assertAnotherActiveAdmin(tx, operator.id);
    return tx.operator.update({
      where: { id: operator.id },
      data: { roles: [...new Set(parsed)], updatedAt: new Date() },
      select: VIEW,
    });
  });
  await recordActivity({
    actor,
    action: "operator.roles",
    target: operator.email,
    outcome: "ok",
    detail: { from: operator.roles, to: updated.roles },
  });
  return updated;
}
