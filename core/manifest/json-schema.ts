/** A JSON Schema object. Kept loose on purpose: ajv is the authority on what is valid. */
export type JSONSchema = { [key: string]: unknown };
