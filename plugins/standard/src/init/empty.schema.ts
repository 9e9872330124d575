import { defineSchema } from '@anneal/core';

/** Schema of plugins without options. */
export const emptySchema = defineSchema({});
