import { LoadingBlock } from "@/components/analytics/states";

export default function Loading() {
  return <LoadingBlock />;
}
