// What a producer process starts for imports: the enqueue API on API_PORT and, when
// KAFKA_BROKERS is set, the Kafka consumer of import requests. `matchflow producer` calls this.
import type { Router } from 'express';
import type { Config } from '../shared/config.ts';
import type { Pool } from '../shared/db.ts';
import { closeKafka } from '../shared/kafka.ts';
import { startApiServer, type ApiServer } from './api.ts';
import { startImportConsumer, type ImportConsumer } from './importConsumer.ts';

export interface ImportTriggers {
  api: ApiServer;
  consumer: ImportConsumer | null;
  close(): Promise<void>;
}

export async function startImportTriggers(cfg: Config, opts: { pool?: Pool; extraRoutes?: Router[] } = {}): Promise<ImportTriggers> {
  const api = await startApiServer(cfg, opts);
  let consumer: ImportConsumer | null = null;
  try {
    if (cfg.kafkaBrokers.length) consumer = await startImportConsumer(cfg, { pool: opts.pool });
  } catch (err) {
    await api.close();
    throw err;
  }
  return {
    api,
    consumer,
    async close() {
      await consumer?.stop();
      await api.close();
      await closeKafka();
    },
  };
}
