// Hive Gateway's `propagateHeaders`: the caller's credentials, tenant and the router secret go to the
// Trovella subgraph only (the name it was composed under), never to the other subgraphs.
const trovella = "trovella";

export const propagateHeaders = {
  fromClientToSubgraphs: ({ request, subgraphName }: { request: Request; subgraphName: string }) => ({
    "x-request-id": request.headers.get("x-request-id"),
    ...(subgraphName === trovella && {
      authorization: request.headers.get("authorization"),
      "x-organization-id": request.headers.get("x-organization-id"),
      "x-router-secret": process.env.ROUTER_SECRET,
    }),
  }),
};
