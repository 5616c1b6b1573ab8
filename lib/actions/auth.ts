"use server";

import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { hasNul, NUL_MESSAGE } from "@/lib/db/sql";
import { recordActivity } from "@/lib/activity/log";
import { currentOperator, requestMeta } from "@/lib/auth/current";
import { login, LoginRateLimitedError, WrongCredentialsError } from "@/lib/auth/login";
import { deleteSession, SESSION_COOKIE } from "@/lib/auth/session";

export interface LoginState {
  error?: string;
  email?: string;
}

const credentials = z.object({
  email: z.string().trim().min(1, "Enter your email").max(320).refine((s) => !hasNul(s), NUL_MESSAGE),
  password: z.string().min(1, "Enter your password").max(200).refine((s) => !hasNul(s), NUL_MESSAGE),
});

async function secureCookies(): Promise<boolean> {
  return (await headers()).get("x-forwarded-proto") === "https";
}

export async function signIn(_: LoginState, form: FormData): Promise<LoginState> {
  const parsed = credentials.safeParse({ email: form.get("email"), password: form.get("password") });
  const email = typeof form.get("email") === "string" ? String(form.get("email")) : "";
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? "Enter your email and password", email };
  try {
    const { token, expiresAt } = await login(parsed.data.email, parsed.data.password, await requestMeta());
    (await cookies()).set(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: "lax",
      secure: await secureCookies(),
      path: "/",
      expires: expiresAt,
    });
  } catch (error) {
    if (error instanceof WrongCredentialsError || error instanceof LoginRateLimitedError) {
      return { error: error.message, email };
    }
    throw error;
  }
  redirect("/");
}

export async function signOut(): Promise<void> {
  const jar = await cookies();
  const token = jar.get(SESSION_COOKIE)?.value;
  const operator = await currentOperator();
  if (token) await deleteSession(token);
  jar.delete(SESSION_COOKIE);
  if (operator) {
    await recordActivity({
      actor: { id: operator.id, email: operator.email },
      action: "auth.logout",
      target: operator.email,
      outcome: "ok",
      ip: (await requestMeta()).ip,
    });
  }
  redirect("/login");
}
