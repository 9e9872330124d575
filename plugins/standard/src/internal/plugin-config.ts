import { validateConfig, type ConfigOf, type ConfigSchema } from '@anneal/core';

/**
 * Validates a factory's (possibly partial) config against its plugin schema: fills defaults, rejects
 * unknown keys and out-of-range values with ANNEAL_ERR_CONFIG_* errors naming the plugin.
 */
export function resolveConfig<S extends ConfigSchema>(pluginName: string, schema: S, config: Readonly<Record<string, unknown>> | undefined): ConfigOf<S> {
  return validateConfig(`plugin '${pluginName}'`, schema, config);
}
