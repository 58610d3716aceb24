/** pluginDependencies, as VS Code's extensionDependencies: a dependency must be present and load first. */
import { describe, expect, it } from 'vitest';
import { writePlugins } from '../../config/test/plugin-fixture.ts';

const reasons = (registry: ReturnType<typeof writePlugins>['registry']) =>
  Object.fromEntries(registry.plugins.map((p) => [p.id, p.status === 'loaded' ? 'loaded' : p.reason]));

describe('pluginDependencies', () => {
  it('a plugin whose dependency is missing fails, and so does one depending on it', () => {
    const { registry } = writePlugins([
      { name: 'lib' },
      { name: 'mid', pluginDependencies: ['test.gone'] },
      { name: 'top', pluginDependencies: ['test.mid', 'test.lib'] },
    ]);
    expect(reasons(registry)).toEqual({
      'test.lib': 'loaded',
      'test.mid': 'dependency test.gone is not installed',
      'test.top': 'dependency test.mid failed: dependency test.gone is not installed',
    });
  });

  it('plugins on a dependency cycle fail with the cycle, instead of activating forever', () => {
    const { registry } = writePlugins([
      { name: 'a', pluginDependencies: ['test.b'] },
      { name: 'b', pluginDependencies: ['test.a'] },
      { name: 'self', pluginDependencies: ['test.self'] },
      { name: 'user', pluginDependencies: ['test.a'] },
      { name: 'free' },
    ]);
    expect(reasons(registry)).toEqual({
      'test.a': 'dependency cycle: test.a -> test.b -> test.a',
      'test.b': 'dependency cycle: test.a -> test.b -> test.a',
      'test.self': 'dependency cycle: test.self -> test.self',
      'test.user': 'dependency test.a failed: dependency cycle: test.a -> test.b -> test.a',
      'test.free': 'loaded',
    });
  });
});
