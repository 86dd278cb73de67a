// The pipeline stages the demo runs, in order. Each issue that adds a stage adds it here.
import type { DemoStage } from './stage.ts';
import { importNodes } from './importNodes.ts';
import { potentialMatches } from './potentialMatches.ts';
import { perfectMatches } from './perfectMatches.ts';

export function demoStages(): DemoStage[] {
  return [importNodes, potentialMatches, perfectMatches];
}
