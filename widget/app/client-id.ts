/**
 * A random uuid (version 4) naming one send of a message, kept across its retries: the server stores the
 * message once however often it arrives (`client_id`). Made from `crypto.getRandomValues`, which, unlike
 * `crypto.randomUUID`, also exists on plain http pages other than localhost.
 */
export function newClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40; // version 4
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80; // the RFC 9562 variant
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
