/** The shared test media, through the one locator in test/helpers/shared-data.ts. */
import { FACES_DIR, SHARED_DIR, haveShared } from '../../../test/helpers/shared-data.ts';

export const sharedDir = SHARED_DIR;
export const facesDir = FACES_DIR;

/** True when the shared faces are present; throws under CI when they are not. */
export function haveSharedFaces(): boolean {
  return haveShared('faces/Megamind.avi', 'faces/astronaut.png');
}
