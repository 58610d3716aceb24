/** The host API version that `engines.visage` ranges are checked against. Bump minor for additive API. */
export const HOST_VERSION = '0.1.0';
