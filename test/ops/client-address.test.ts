import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { clientAddressResolver } from "../../src/http/client-address.js";

// The key of an anonymous budget: one client, one key, whichever form of its address the socket shows.

function requestFrom(remoteAddress: string, forwardedFor?: string): IncomingMessage {
  return {
    socket: { remoteAddress },
    connection: { remoteAddress },
    headers: forwardedFor ? { "x-forwarded-for": forwardedFor } : {},
  } as unknown as IncomingMessage;
}

describe("client address", () => {
  it("an IPv4 client of a dual-stack socket (::ffff:a.b.c.d) is its IPv4 address", () => {
    const addressOf = clientAddressResolver([]);
    expect(addressOf(requestFrom("::ffff:203.0.113.7"))).toBe("203.0.113.7");
    expect(addressOf(requestFrom("203.0.113.7"))).toBe("203.0.113.7");
    expect(addressOf(requestFrom("2001:db8::1"))).toBe("2001:db8::1");
  });

  it("X-Forwarded-For counts only from a trusted proxy", () => {
    expect(clientAddressResolver([])(requestFrom("10.0.0.1", "198.51.100.9"))).toBe("10.0.0.1");
    expect(clientAddressResolver(["10.0.0.1"])(requestFrom("10.0.0.1", "198.51.100.9"))).toBe("198.51.100.9");
  });
});
