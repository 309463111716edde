/** OpenAPI parts for promises to pay and disputes/requests (merged into openapi.ts). */
type Json = Record<string, unknown>;

export function caseSchemas(money: Json, date: Json): Record<string, Json> {
  const ts = { type: 'string', format: 'date-time' };
  const tsOrNull = { type: ['string', 'null'], format: 'date-time' };
  const list = (item: string) => ({
    type: 'object',
    required: ['data', 'nextCursor'],
    properties: {
      data: { type: 'array', items: { $ref: `#/components/schemas/${item}` } },
      nextCursor: { type: ['string', 'null'] },
    },
  });
  return {
    Promise: {
      type: 'object',
      description:
        'A promise to pay. Settled from synced balances: kept as soon as the amount is paid; after promisedDate + graceDays partially_kept (something paid) or broken (nothing paid); cancelled when replaced by a newer promise or nothing is owed any more.',
      required: [
        'id',
        'customerId',
        'contactId',
        'invoiceIds',
        'amount',
        'currency',
        'promisedDate',
        'graceDays',
        'status',
        'amountPaid',
        'source',
        'note',
        'createdByUserId',
        'createdAt',
        'resolvedAt',
      ],
      properties: {
        id: { type: 'string' },
        customerId: { type: 'string' },
        contactId: { type: ['string', 'null'] },
        invoiceIds: { type: 'array', items: { type: 'string' } },
        amount: money,
        currency: { type: 'string' },
        promisedDate: date,
        graceDays: { type: 'integer', minimum: 0 },
        status: { enum: ['active', 'kept', 'partially_kept', 'broken', 'cancelled'] },
        amountPaid: money,
        source: { enum: ['portal', 'call', 'clerk', 'api'] },
        note: { type: ['string', 'null'] },
        createdByUserId: { type: ['string', 'null'] },
        createdAt: ts,
        resolvedAt: tsOrNull,
      },
    },
    PromiseInput: {
      type: 'object',
      additionalProperties: false,
      required: ['customerId', 'invoiceIds', 'amount', 'promisedDate'],
      properties: {
        customerId: { type: 'string' },
        invoiceIds: { type: 'array', items: { type: 'string' }, minItems: 1 },
        amount: { ...money, description: 'more than zero, at most the open balance of the invoices' },
        promisedDate: {
          ...date,
          description: "from today to today + the firm's maximum (promises.maxDays), in the firm's time zone",
        },
        note: { type: ['string', 'null'], maxLength: 1000 },
        contactId: { type: ['string', 'null'] },
      },
    },
    Dispute: {
      type: 'object',
      required: [
        'id',
        'reference',
        'customerId',
        'contactId',
        'kind',
        'category',
        'status',
        'outcome',
        'ownerUserId',
        'invoiceIds',
        'source',
        'replyEmail',
        'firstResponseDueAt',
        'firstResponseAt',
        'breached',
        'resolvedAt',
        'createdAt',
        'updatedAt',
      ],
      properties: {
        id: { type: 'string' },
        reference: { type: 'string', pattern: '^D-\\d+$' },
        customerId: { type: 'string' },
        contactId: { type: ['string', 'null'] },
        kind: { enum: ['dispute', 'request'] },
        category: { type: 'string' },
        status: { enum: ['open', 'waiting_on_customer', 'resolved'] },
        outcome: {
          enum: ['credit_issued', 'invoice_corrected', 'not_valid', 'paid', 'answered', 'other', null],
        },
        ownerUserId: { type: ['string', 'null'] },
        invoiceIds: { type: 'array', items: { type: 'string' } },
        source: { enum: ['portal', 'call', 'clerk', 'api'] },
        replyEmail: { type: ['string', 'null'] },
        firstResponseDueAt: ts,
        firstResponseAt: tsOrNull,
        breached: {
          type: 'boolean',
          description: 'open or waiting, never answered, past firstResponseDueAt (business hours)',
        },
        resolvedAt: tsOrNull,
        createdAt: ts,
        updatedAt: ts,
      },
    },
    DisputeThread: {
      allOf: [
        { $ref: '#/components/schemas/Dispute' },
        {
          type: 'object',
          required: ['invoices', 'messages'],
          properties: {
            invoices: {
              type: 'array',
              items: {
                type: 'object',
                required: ['id', 'number', 'dueDate', 'balance', 'currency', 'status'],
                properties: {
                  id: { type: 'string' },
                  number: { type: ['string', 'null'] },
                  dueDate: date,
                  balance: money,
                  currency: { type: 'string' },
                  status: { type: 'string' },
                },
              },
            },
            messages: {
              type: 'array',
              items: {
                type: 'object',
                required: ['id', 'author', 'authorName', 'body', 'createdAt', 'emailed', 'attachments'],
                properties: {
                  id: { type: 'string' },
                  author: { enum: ['customer', 'clerk', 'system'] },
                  authorName: { type: ['string', 'null'] },
                  body: { type: 'string' },
                  createdAt: ts,
                  emailed: { type: 'boolean' },
                  attachments: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['id', 'filename', 'contentType', 'size'],
                      properties: {
                        id: { type: 'string' },
                        filename: { type: 'string' },
                        contentType: { type: 'string' },
                        size: { type: 'integer' },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      ],
    },
    DisputeReplyInput: {
      type: 'object',
      additionalProperties: false,
      required: ['body'],
      properties: {
        body: { type: 'string', minLength: 1, maxLength: 5000 },
        waitOnCustomer: { type: 'boolean', description: 'the case then waits on the customer' },
      },
    },
    DisputeReply: {
      type: 'object',
      required: ['messageId', 'status', 'emailed'],
      properties: {
        messageId: { type: 'string' },
        status: { enum: ['open', 'waiting_on_customer', 'resolved'] },
        emailed: { type: 'boolean', description: 'false when the case has no address to write to' },
      },
    },
    DisputeStatusInput: {
      type: 'object',
      additionalProperties: false,
      required: ['status'],
      properties: {
        status: { enum: ['open', 'waiting_on_customer', 'resolved'] },
        outcome: {
          enum: ['credit_issued', 'invoice_corrected', 'not_valid', 'paid', 'answered', 'other', null],
          description: 'required to resolve',
        },
      },
    },
    PromiseList: list('Promise'),
    DisputeList: list('Dispute'),
  };
}

export function casePaths(listParams: Json[], errors: Record<string, Json>): Record<string, Json> {
  const ref = (name: string) => ({
    'application/json': { schema: { $ref: `#/components/schemas/${name}` } },
  });
  const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
  const notFound = { description: 'Not found (or another firm’s)', content: ref('Error') };
  const conflict = { description: 'The case is already in that status', content: ref('Error') };
  return {
    '/promises': {
      get: {
        summary: 'List promises to pay',
        parameters: [
          ...listParams,
          {
            name: 'status',
            in: 'query',
            schema: {
              enum: ['active', 'kept', 'partially_kept', 'broken', 'cancelled', 'all'],
              default: 'all',
            },
          },
          { name: 'customerId', in: 'query', schema: { type: 'string' } },
        ],
        responses: { '200': { description: 'A page of promises', content: ref('PromiseList') }, ...errors },
      },
      post: {
        summary: 'Record a promise to pay (source api); pauses reminders on its invoices until date + grace',
        requestBody: { required: true, content: ref('PromiseInput') },
        responses: {
          '201': {
            description: 'The promise (an identical active promise is returned as is)',
            content: ref('Promise'),
          },
          '404': notFound,
          ...errors,
        },
      },
    },
    '/promises/{id}': {
      get: {
        summary: 'One promise',
        parameters: [idParam],
        responses: {
          '200': { description: 'The promise', content: ref('Promise') },
          '404': notFound,
          ...errors,
        },
      },
    },
    '/disputes': {
      get: {
        summary: 'List disputes and requests',
        parameters: [
          ...listParams,
          {
            name: 'status',
            in: 'query',
            schema: {
              enum: ['open', 'waiting_on_customer', 'resolved', 'unresolved', 'all'],
              default: 'all',
            },
          },
          { name: 'customerId', in: 'query', schema: { type: 'string' } },
          {
            name: 'breached',
            in: 'query',
            description: 'true: only cases past their first-response deadline without an answer',
            schema: { enum: ['true', 'false'] },
          },
        ],
        responses: { '200': { description: 'A page of cases', content: ref('DisputeList') }, ...errors },
      },
    },
    '/disputes/{id}': {
      get: {
        summary: 'One case with its invoices and thread',
        parameters: [idParam],
        responses: {
          '200': { description: 'The case', content: ref('DisputeThread') },
          '404': notFound,
          ...errors,
        },
      },
    },
    '/disputes/{id}/replies': {
      post: {
        summary: 'Answer a case: the reply goes to the customer by e-mail with a link to the portal',
        parameters: [idParam],
        requestBody: { required: true, content: ref('DisputeReplyInput') },
        responses: {
          '201': { description: 'The reply', content: ref('DisputeReply') },
          '404': notFound,
          ...errors,
        },
      },
    },
    '/disputes/{id}/status': {
      post: {
        summary: 'Change the status of a case (resolving needs an outcome; resolving resumes reminders)',
        parameters: [idParam],
        requestBody: { required: true, content: ref('DisputeStatusInput') },
        responses: {
          '200': { description: 'The case after the change', content: ref('Dispute') },
          '404': notFound,
          '409': conflict,
          ...errors,
        },
      },
    },
  };
}
