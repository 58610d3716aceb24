// Regenerates manifest.schema.json from the contribution points, and each plugin's
// src/options.generated.ts from its manifest's option schemas (npm run schema).
import { writeFileSync } from 'node:fs';
import { buildManifestSchema } from '../core/manifest/manifest-schema.ts';
import { OPTION_PLUGINS, optionTypesFile, optionTypesSource } from './option-types.ts';

writeFileSync(new URL('../manifest.schema.json', import.meta.url), JSON.stringify(buildManifestSchema(), null, 2) + '\n');
for (const plugin of OPTION_PLUGINS) writeFileSync(optionTypesFile(plugin), await optionTypesSource(plugin));
