import { config, redactedConfig, settingsMarkdown } from '../shared/config.ts';
import { writeConfigDoc } from './configDoc.ts';
import { EXIT, UsageError, type Command } from './command.ts';

export const configCommand: Command = {
  name: 'config',
  help: `Usage: matchflow config [--markdown | --write-docs]

Prints the configuration this process would use, as JSON with secrets masked. With --markdown,
prints the table of every environment variable, its default and meaning; --write-docs puts that
table into docs/configuration.md.
Exit codes: 0 done, 2 unknown option or a setting that does not parse (the message names it).`,
  async run(argv) {
    const unknown = argv.find((a) => a !== '--markdown' && a !== '--write-docs');
    if (unknown !== undefined) throw new UsageError(`unknown option '${unknown}'`);
    if (argv.includes('--write-docs')) {
      process.stdout.write((await writeConfigDoc()) ? 'docs/configuration.md configuration table updated\n' : 'docs/configuration.md already up to date\n');
    } else if (argv.includes('--markdown')) process.stdout.write(settingsMarkdown() + '\n');
    else process.stdout.write(JSON.stringify(redactedConfig(config()), null, 2) + '\n');
    return EXIT.ok;
  },
};
