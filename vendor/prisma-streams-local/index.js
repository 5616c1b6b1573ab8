// Only `prisma dev` imports this package (a dynamic import in @prisma/dev). Unify never runs
// `prisma dev`; this stand-in keeps the real package, which declares node >=22, off Node 20.
export async function startLocalDurableStreamsServer() {
  throw new Error("`prisma dev` is not part of Unify: @prisma/streams-local is replaced by a stand-in (see docs/node.md)");
}
