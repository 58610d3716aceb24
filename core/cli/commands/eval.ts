/** `visage eval FILE` and `visage eval --folds FILE...`: metrics from predictions files (any tool's) or run rows. */
import { Command } from 'commander';
import { evaluatePredictions, formatEvaluation, summariseFolds } from '../../metrics/evaluate-predictions.ts';
import { readPredictionsFile } from '../../metrics/predictions.ts';
import * as errors from '../../errors/messages.ts';
import type { CliIO } from '../cli-io.ts';

export function registerEvalCommand(program: Command, io: CliIO): void {
  program
    .command('eval')
    .summary('score predictions files or run rows: UAR, WAR, confusion, AUROC, OSCR')
    .description('Score one predictions file, or the folds of one system with --folds (mean and std over folds; predictions are not pooled).\nA predictions file is JSON Lines: {"id", "label", "predicted", "knownness"?, "known"?} per clip. Rows of `visage pipeline run` with ground truth are read as they are ("label" there is the prediction, "groundTruth" the truth; rows of failed clips are left out).\nOpen-set metrics (AUROC, OSCR reference and ARPL-compatible) appear when clips of unknown classes ("known": false) and known-ness scores are present.\nTwo systems on the same clips are compared by `visage compare`, not averaged.')
    .argument('[files...]', 'a predictions file or run rows')
    .option('--predictions <files...>', 'a predictions file (same as the argument)')
    .option('--folds <files...>', 'one file per fold of one system: mean and std over folds')
    .option('--classes <names>', 'comma-separated class order for the report (default: sorted names)')
    .option('--json', 'print JSON instead of tables')
    // Listed for --help: main.ts turns `eval --open-set ...` into `open-set eval ...` before parsing.
    .option('--open-set', "run HESP's open-set protocol instead: same as `visage open-set eval` (see its --help for every option)")
    .option('--known <n>', 'with --open-set: the number of known classes in each draw')
    .addHelpText('after', '\nExamples:\n  visage eval rows.jsonl\n  visage eval --folds fold1.jsonl fold2.jsonl fold3.jsonl fold4.jsonl fold5.jsonl\n  visage eval --predictions open-set.jsonl --json\n  visage eval --open-set --known 3 --features feats.json   (= visage open-set eval: train and score 5 draws)')
    .action((files: string[], flags: { predictions?: string[]; folds?: string[]; classes?: string; json?: boolean }) => {
      const classes = flags.classes?.split(',').map((s) => s.trim()).filter(Boolean);
      const single = [...files, ...(flags.predictions ?? [])];
      if (flags.folds && single.length) throw errors.evalSeveralFiles([...single, ...flags.folds]);
      if (!flags.folds && single.length > 1) throw errors.evalSeveralFiles(single);
      const inputs = flags.folds ?? single;
      if (inputs.length === 0) throw errors.evalNoFiles();
      const folds = inputs.map((file) => {
        const { records, failedRows } = readPredictionsFile(file);
        if (failedRows) io.err(`${file}: ${failedRows} rows of failed clips left out\n`);
        if (classes) {
          const unknownNames = [...new Set(records.filter((r) => r.known !== false).flatMap((r) => [r.label, r.predicted]))].filter((c) => !classes.includes(c));
          if (unknownNames.length) throw errors.predictionsInvalid(file, 0, `class(es) not in --classes: ${unknownNames.join(', ')}`);
        }
        return evaluatePredictions(file, records, classes);
      });
      const result = summariseFolds(folds);
      io.out(flags.json ? JSON.stringify(result, null, 2) + '\n' : formatEvaluation(result));
    });
}
