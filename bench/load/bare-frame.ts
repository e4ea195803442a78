/** The bare forwarder's framing: [recipient id (16 bytes)][payload]. The hello frame is the sender's own id. */
export const BARE_ID_BYTES = 16;
