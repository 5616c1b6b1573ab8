import type { ButtonHTMLAttributes } from "react";

const VARIANTS = {
  primary: "bg-primary text-on-fill hover:bg-primary-hover disabled:bg-primary/50",
  secondary: "border border-slate-300 bg-surface text-slate-800 hover:bg-slate-50 disabled:text-slate-600",
  danger: "bg-danger text-on-fill hover:bg-danger-hover disabled:bg-danger/50",
  ghost: "text-slate-600 hover:bg-slate-100 hover:text-slate-900",
} as const;

export type ButtonVariant = keyof typeof VARIANTS;

export function Button({
  variant = "primary",
  className = "",
  ...props
}: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: ButtonVariant }) {
  return (
    <button
      className={`inline-flex items-center justify-center gap-2 rounded-md px-3.5 py-2 text-sm font-medium shadow-sm transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-500 disabled:cursor-not-allowed ${VARIANTS[variant]} ${className}`}
      {...props}
    />
  );
}
