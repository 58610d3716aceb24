/**
 * Canonical class lists (method.md F). Each list is in the order of that dataset's OWN label ids,
 * so `classes[id]` is the name; everything downstream keys by name.
 */

/** DFEW label 1..7 (official) = index 0..6 here: Happy, Sad, Neutral, Angry, Surprise, Disgust, Fear. */
export const DFEW_CLASSES = ['Happy', 'Sad', 'Neutral', 'Angry', 'Surprise', 'Disgust', 'Fear'] as const;

/** FERV39k official `label_index.txt` (alphabetical): 0 Angry ... 6 Surprise. */
export const FERV39K_CLASSES = ['Angry', 'Disgust', 'Fear', 'Happy', 'Neutral', 'Sad', 'Surprise'] as const;

/**
 * MAFW single-label classes as named in its split files, in the EmoCLIP / HESP order
 * (DFER-CLIP and S2D use other orders: map by name, never by index).
 */
export const MAFW_CLASSES = ['anger', 'disgust', 'fear', 'happiness', 'neutral', 'sadness', 'surprise', 'contempt', 'anxiety', 'helplessness', 'disappointment'] as const;
