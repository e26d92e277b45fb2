// Extends the scaffolded webpack config (never edit .config/), as create-plugin documents: nested panel logos are
// copied too, and %VERSION% / %TODAY% are filled in the nested plugin.json files as in the root one.
import CopyWebpackPlugin from 'copy-webpack-plugin';
import ReplaceInFileWebpackPlugin from 'replace-in-file-webpack-plugin';
import type { Configuration } from 'webpack';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config.ts';
import { getPackageJson } from './.config/bundler/utils.ts';

const NESTED = ['confusionmatrix', 'drift', 'retrain', 'review'];

const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig(env);
  const version = getPackageJson().version;
  return {
    ...base,
    plugins: [
      ...(base.plugins ?? []),
      new CopyWebpackPlugin({ patterns: NESTED.map((dir) => ({ from: `${dir}/img/*.svg`, to: '.' })) }),
      new ReplaceInFileWebpackPlugin(
        NESTED.map((dir) => ({
          dir: `dist/${dir}`,
          test: [/(^|\/)plugin\.json$/],
          rules: [
            { search: /%VERSION%/g, replace: version },
            { search: /%TODAY%/g, replace: new Date().toISOString().substring(0, 10) },
          ],
        }))
      ),
    ],
  };
};

export default config;
