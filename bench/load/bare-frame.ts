/**
 * The bare forwarders' framing: [recipient id (16 bytes)][seq u32][payload]. The hello frame is
 * the sender's own id. With acknowledgements (the acking forwarder), a recipient answers each
 * delivery with [seq u32] alone and the forwarder passes that on to the sender as its `ok`.
 */
export const BARE_ID_BYTES = 16;
export const BARE_SEQ_BYTES = 4;
