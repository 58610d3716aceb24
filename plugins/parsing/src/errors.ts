/** Errors of the face-parsing plugin. Codes are stable: tests and users match on them. */
import { errors } from '@visage/core';

const { badInput: bad } = errors;

export const parsingSizeInvalid = (size: number) =>
  bad('PARSING_SIZE_INVALID', `parsing map size must be an integer from 8 to 4096, got ${size}`, 'the default, 224, matches the CLIP input; set parsing.size in the preset');
