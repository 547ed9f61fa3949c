import { encodeGlobalID } from "@pothos/plugin-relay";
import { invitationIdPlaceholder } from "../../platform/config/index.js";

// The link an invitation e-mail carries. By default it opens GraphiQL (development) with the
// `acceptOrganizationInvitation` mutation written out: this gateway is an API with no pages of its own, and
// the link's `query` parameter is the very operation any client sends (POST /graphql, as the invitee). A
// deployment with an application sets INVITATION_URL to its own page (required in production with SMTP).

export interface InvitationLinkOptions {
  /** PUBLIC_URL: where clients reach the gateway. */
  publicUrl: string;
  /** INVITATION_URL, with `{invitationId}`; undefined: GraphiQL. */
  invitationUrl: string | undefined;
}

/** The acceptance as one self-contained document: GraphiQL prefills `query` from its URL, not variables. */
export function acceptInvitationDocument(invitationGlobalId: string): string {
  return [
    "# Run this as the invitee, signed in with the invited address: a session cookie or session bearer token",
    "# (in GraphiQL's Headers tab, replace the demo token: a personal access token cannot accept invitations).",
    "mutation AcceptInvitation {",
    `  acceptOrganizationInvitation(input: { invitationId: ${JSON.stringify(invitationGlobalId)} }) {`,
    "    organizationId",
    "    role",
    "  }",
    "}",
  ].join("\n");
}

/** The link that accepts the invitation Better Auth knows as `invitationId`. */
export function invitationAcceptUrl(options: InvitationLinkOptions, invitationId: string): string {
  const globalId = encodeGlobalID("Invitation", invitationId);
  if (options.invitationUrl) {
    return options.invitationUrl.replaceAll(invitationIdPlaceholder, encodeURIComponent(globalId));
  }
  const url = new URL(`${options.publicUrl.replace(/\/+$/, "")}/graphql`);
  url.searchParams.set("query", acceptInvitationDocument(globalId));
  return url.toString();
}
