import type { IncomingMessage } from "node:http";
import proxyaddr from "proxy-addr";

// Which address a request came from, for the anonymous budget. The socket's peer, unless that peer is a
// configured proxy (TRUSTED_PROXIES): then X-Forwarded-For is read from the right, past every trusted hop,
// to the first address no trusted proxy vouches for. A client cannot pick a fresh budget by sending its own
// X-Forwarded-For: from an untrusted peer, the header is ignored.

export type ClientAddressOf = (request: IncomingMessage) => string;

/** `trustedProxies`: addresses, CIDR ranges, or proxy-addr's names (loopback, linklocal, uniquelocal). */
export function clientAddressResolver(trustedProxies: readonly string[]): ClientAddressOf {
  const trust = trustedProxies.length > 0 ? proxyaddr.compile([...trustedProxies]) : () => false;
  return (request) => {
    if (request.socket.remoteAddress === undefined) return "unknown";
    return normalise(proxyaddr(request, trust));
  };
}

/** An IPv4 client of a dual-stack socket shows as ::ffff:a.b.c.d: one client, one key. */
function normalise(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}
