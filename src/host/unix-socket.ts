/**
 * The longest unix socket path used: sun_path holds 108 bytes, and a little is kept spare. A socket
 * that would lie deeper goes to a short temp dir instead.
 */
export const MAX_SOCKET_PATH = 100
