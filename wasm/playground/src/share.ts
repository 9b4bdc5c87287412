// Share links: the text is compressed (deflate-raw) into the URL fragment, which browsers never
// send to a server. Opening the link restores the text.

const PREFIX = "#code=";

export async function encodeShareFragment(text: string): Promise<string> {
  const compressed = await pipe(new TextEncoder().encode(text), new CompressionStream("deflate-raw"));
  return PREFIX + toBase64Url(compressed);
}

/** The text in a fragment made by `encodeShareFragment`, or `null` when there is none. */
export async function decodeShareFragment(fragment: string): Promise<string | null> {
  if (!fragment.startsWith(PREFIX)) {
    return null;
  }
  const bytes = fromBase64Url(fragment.slice(PREFIX.length));
  if (bytes === null) {
    return null;
  }
  try {
    const inflated = await pipe(bytes, new DecompressionStream("deflate-raw"));
    return new TextDecoder("utf-8", { fatal: true }).decode(inflated);
  } catch {
    return null;
  }
}

async function pipe(
  input: Uint8Array<ArrayBuffer>,
  transform: CompressionStream | DecompressionStream,
): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([input]).stream().pipeThrough(transform);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function toBase64Url(bytes: Uint8Array<ArrayBuffer>): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) {
    return null;
  }
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  try {
    const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
    return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}
