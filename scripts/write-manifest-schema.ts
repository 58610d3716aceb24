// Regenerates manifest.schema.json from the contribution points (npm run schema).
import { writeFileSync } from 'node:fs';
import { buildManifestSchema } from '../core/manifest/manifest-schema.ts';

writeFileSync(new URL('../manifest.schema.json', import.meta.url), JSON.stringify(buildManifestSchema(), null, 2) + '\n');
