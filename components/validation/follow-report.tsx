"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/** Refreshes the report while its suite is still running. */
export function FollowReport({ running }: { running: boolean }) {
  const router = useRouter();
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => router.refresh(), 1500);
    return () => clearInterval(timer);
  }, [running, router]);
  return null;
}
