import { z } from "zod";
import { recordActivity, type Actor } from "@/lib/activity/log";
import { hashPassword, MIN_PASSWORD_LENGTH } from "@/lib/auth/password";
import { ROLES, type Role } from "@/lib/auth/roles";
import { prisma } from "@/lib/db/prisma";

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
  name: z.string().trim().min(1, "Enter a name").max(200, "Name is too long"),
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

export async function createOperator(input: NewOperator, actor: Actor): Promise<OperatorView> {
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

/** Refuses any change that would leave the console without an active admin. */
async function assertAnotherActiveAdmin(exceptId: number): Promise<void> {
  const others = await prisma().operator.count({
    where: { id: { not: exceptId }, disabledAt: null, roles: { has: "admin" } },
  });
  if (others === 0) throw new OperatorError("This is the last active admin: keep at least one");
}

export async function setOperatorDisabled(email: string, disabled: boolean, actor: Actor): Promise<OperatorView> {
  const operator = await findByEmail(email);
  if (disabled && operator.roles.includes("admin")) await assertAnotherActiveAdmin(operator.id);
  const updated = await prisma().$transaction(async (tx) => {
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

export async function setOperatorRoles(email: string, roles: Role[], actor: Actor): Promise<OperatorView> {
  const parsed = z.array(z.enum(ROLES)).min(1, "Choose at least one role").parse(roles);
  const operator = await findByEmail(email);
  if (operator.roles.includes("admin") && !parsed.includes("admin")) {
    await assertAnotherActiveAdmin(operator.id);
  }
  const updated = await prisma().operator.update({
    where: { id: operator.id },
    data: { roles: [...new Set(parsed)], updatedAt: new Date() },
    select: VIEW,
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
