import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Module } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';

/** The repository (or image) root: the nearest folder above this file with a package.json, compiled or not. */
export function projectRoot(from: string): string {
  return existsSync(join(from, 'package.json')) || dirname(from) === from ? from : projectRoot(dirname(from));
}

/** Where `vite build` writes the console. */
export const CONSOLE_ROOT = join(projectRoot(__dirname), 'web', 'dist');

/**
 * The web console and the pages for people without staff tokens (/r, /c, /a links), one
 * single-page build served by the API process. Any path that is not the API, health,
 * metrics or docs gets index.html, and the page's router decides what to show.
 */
@Module({
  imports: [
    ServeStaticModule.forRoot({
      rootPath: CONSOLE_ROOT,
      exclude: ['/v1/{*path}', '/health/{*path}', '/metrics', '/docs/{*path}', '/docs-json'],
      serveStaticOptions: {
        index: false,
        fallthrough: true,
        // File names under /assets carry a content hash; index.html must always be re-read.
        setHeaders: (res, path) =>
          res.setHeader('Cache-Control', path.startsWith(join(CONSOLE_ROOT, 'assets')) ? 'public, max-age=31536000, immutable' : 'no-cache'),
      },
    }),
  ],
})
export class ConsoleModule {}
