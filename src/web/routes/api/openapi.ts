import { casePaths, caseSchemas } from './openapi.cases';

/** OpenAPI 3.1 description of /api/v1; grows with the API. */
export function openApiDocument(baseUrl: string) {
  const money = {
    type: 'string',
    pattern: '^-?\\d+(\\.\\d+)?$',
    description: 'decimal string in the currency minor units',
  };
  const date = { type: 'string', format: 'date' };
  const days = { type: ['number', 'null'], description: 'days, one decimal; null when not measurable' };
  const error = {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: { code: { type: 'string' }, message: { type: 'string' } },
      },
    },
  };
  const list = (item: string) => ({
    type: 'object',
    required: ['data', 'nextCursor'],
    properties: {
      data: { type: 'array', items: { $ref: `#/components/schemas/${item}` } },
      nextCursor: { type: ['string', 'null'] },
    },
  });
  const listParams = [
    { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
    { name: 'cursor', in: 'query', schema: { type: 'string' } },
  ];
  const errors = {
    '400': {
      description: 'Bad request',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    },
    '401': {
      description: 'Missing or invalid API token',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Duely API',
      version: '1',
      description:
        'Accounts-receivable data and actions of one firm. Authenticate with `Authorization: Bearer <api token>` (`duely token create`).',
    },
    servers: [{ url: `${baseUrl}/api/v1` }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: error,
        Customer: {
          type: 'object',
          required: [
            'id',
            'platform',
            'externalId',
            'name',
            'email',
            'currency',
            'balance',
            'overdueBalance',
          ],
          properties: {
            id: { type: 'string' },
            platform: { enum: ['quickbooks', 'xero'] },
            externalId: { type: 'string' },
            name: { type: 'string' },
            email: { type: ['string', 'null'] },
            currency: {
              type: 'string',
              description: 'the customer’s currency, else its open invoices’, else the firm’s base currency',
            },
            balance: money,
            overdueBalance: money,
          },
        },
        Invoice: {
          type: 'object',
          required: [
            'id',
            'platform',
            'externalId',
            'number',
            'customerId',
            'currency',
            'issueDate',
            'dueDate',
            'total',
            'balance',
            'status',
            'daysOverdue',
            'agingBucket',
          ],
          properties: {
            id: { type: 'string' },
            platform: { enum: ['quickbooks', 'xero'] },
            externalId: { type: 'string' },
            number: { type: ['string', 'null'] },
            customerId: { type: 'string' },
            currency: { type: 'string' },
            issueDate: date,
            dueDate: date,
            total: money,
            balance: money,
            status: { enum: ['open', 'paid', 'voided', 'deleted'] },
            daysOverdue: { type: 'integer', minimum: 0 },
            agingBucket: { enum: ['current', '1-30', '31-60', '61-90', '90+'] },
          },
        },
        SequenceStep: {
          type: 'object',
          required: ['key', 'offsetDays', 'channel'],
          properties: {
            key: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' },
            offsetDays: { type: 'integer', minimum: -365, maximum: 730 },
            from: { enum: ['due', 'issue'], description: 'what offsetDays counts from; default due' },
            channel: { enum: ['email', 'call', 'letter', 'sms'] },
            template: { type: 'string', description: 'a template key the firm has; required for email' },
            tone: { enum: ['friendly', 'firm', 'final'] },
            conditions: {
              type: 'object',
              additionalProperties: false,
              properties: {
                minBalance: money,
                tags: { type: 'array', items: { type: 'string' } },
                minDaysOverdue: { type: 'integer' },
                maxDaysOverdue: { type: 'integer' },
              },
            },
          },
        },
        Sequence: {
          type: 'object',
          description: 'The current version of a reminder sequence (CONTRACT.md §5 format plus version)',
          required: ['key', 'name', 'default', 'version', 'steps'],
          properties: {
            key: { type: 'string' },
            name: { type: 'string' },
            default: { type: 'boolean' },
            version: { type: 'integer', minimum: 1 },
            steps: { type: 'array', items: { $ref: '#/components/schemas/SequenceStep' } },
          },
        },
        SequenceInput: {
          type: 'object',
          description:
            'One sequence in the §5 format; key, when present, must match the path. A changed sequence gets a new version; steps already sent are never sent again.',
          required: ['name', 'steps'],
          properties: {
            key: { type: 'string' },
            name: { type: 'string' },
            default: { type: 'boolean', description: 'true makes it the default sequence' },
            steps: { type: 'array', items: { $ref: '#/components/schemas/SequenceStep' } },
          },
        },
        Message: {
          type: 'object',
          required: [
            'id',
            'customerId',
            'invoiceIds',
            'sequenceKey',
            'sequenceVersion',
            'stepKey',
            'channel',
            'status',
            'to',
            'subject',
            'sendAt',
            'sentAt',
            'live',
            'portalUrl',
          ],
          properties: {
            id: { type: 'string' },
            customerId: { type: 'string' },
            invoiceIds: { type: 'array', items: { type: 'string' } },
            sequenceKey: { type: 'string' },
            sequenceVersion: { type: 'integer' },
            stepKey: { type: 'string' },
            channel: { enum: ['email', 'call', 'letter', 'sms'] },
            status: { enum: ['queued', 'sent', 'failed', 'bounced'] },
            to: { type: ['string', 'null'] },
            subject: { type: ['string', 'null'] },
            sendAt: { type: 'string', format: 'date-time' },
            sentAt: { type: ['string', 'null'], format: 'date-time' },
            live: { type: 'boolean' },
            error: { type: ['string', 'null'], description: 'why it failed or bounced' },
            portalUrl: {
              type: ['string', 'null'],
              description: 'the portal link the message carried; null when revoked or not an e-mail',
            },
          },
        },
        Template: {
          type: 'object',
          required: ['key', 'name', 'subject', 'body', 'source', 'version', 'hasBuiltin', 'updatedAt'],
          properties: {
            key: { type: 'string', description: 'e.g. "overdue" or a tone variant "overdue.firm"' },
            name: { type: 'string' },
            subject: { type: 'string', description: 'one line with {{variables}}' },
            body: { type: 'string', description: 'MJML inside the firm layout, with {{variables}}' },
            source: { enum: ['builtin', 'firm'] },
            version: { type: ['integer', 'null'], description: "the firm's version; null for a built-in" },
            hasBuiltin: { type: 'boolean' },
            updatedAt: { type: ['string', 'null'], format: 'date-time' },
          },
        },
        TemplateInput: {
          type: 'object',
          required: ['subject', 'body'],
          additionalProperties: false,
          properties: { name: { type: 'string' }, subject: { type: 'string' }, body: { type: 'string' } },
        },
        TemplateList: list('Template'),
        Task: {
          type: 'object',
          required: [
            'id',
            'customerId',
            'invoiceIds',
            'kind',
            'title',
            'talkingPoints',
            'sequenceKey',
            'stepKey',
            'assigneeUserId',
            'dueDate',
            'status',
            'outcome',
            'createdAt',
            'completedAt',
          ],
          properties: {
            id: { type: 'string' },
            customerId: { type: 'string' },
            invoiceIds: { type: 'array', items: { type: 'string' } },
            kind: { enum: ['call', 'letter', 'master_data', 'other'] },
            title: { type: 'string' },
            talkingPoints: { type: 'array', items: { type: 'string' } },
            sequenceKey: { type: ['string', 'null'] },
            stepKey: { type: ['string', 'null'] },
            assigneeUserId: { type: ['string', 'null'] },
            dueDate: date,
            status: { enum: ['open', 'done', 'cancelled'] },
            outcome: { enum: ['reached', 'no_answer', 'promise', 'dispute', 'wrong_number', null] },
            outcomeNote: { type: ['string', 'null'] },
            createdAt: { type: 'string', format: 'date-time' },
            completedAt: { type: ['string', 'null'], format: 'date-time' },
            customerName: { type: 'string' },
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
                  status: { enum: ['open', 'paid', 'voided', 'deleted'] },
                },
              },
            },
            balances: {
              type: 'array',
              description: 'open balance of the task’s invoices, per currency',
              items: {
                type: 'object',
                required: ['currency', 'amount'],
                properties: { currency: { type: 'string' }, amount: money },
              },
            },
            assignee: {
              type: ['object', 'null'],
              properties: {
                id: { type: 'string' },
                email: { type: 'string' },
                name: { type: ['string', 'null'] },
              },
            },
            due: { enum: ['overdue', 'today', 'upcoming'], description: 'against the firm’s local date' },
            phone: {
              type: ['string', 'null'],
              description: 'the first number to call; null when none works',
            },
          },
        },
        TaskCompletion: {
          type: 'object',
          additionalProperties: false,
          description:
            'How a task went. `outcome` is required for call tasks; `promise` goes with `promise`, `dispute` with `dispute`; `preferences` only when the customer was reached.',
          properties: {
            outcome: { enum: ['reached', 'no_answer', 'promise', 'dispute', 'wrong_number'] },
            note: { type: 'string', maxLength: 2000 },
            promise: {
              type: 'object',
              required: ['amount', 'promisedDate'],
              additionalProperties: false,
              properties: {
                invoiceIds: {
                  type: 'array',
                  items: { type: 'string' },
                  description: 'default: the task’s invoices',
                },
                amount: money,
                promisedDate: date,
              },
            },
            dispute: {
              type: 'object',
              required: ['category', 'message'],
              additionalProperties: false,
              properties: {
                category: {
                  enum: [
                    'pricing',
                    'quantity',
                    'quality',
                    'not_received',
                    'duplicate',
                    'already_paid',
                    'other',
                  ],
                },
                message: { type: 'string', maxLength: 5000 },
                invoiceIds: {
                  type: 'array',
                  items: { type: 'string' },
                  description: 'default: the task’s invoices',
                },
              },
            },
            preferences: {
              type: 'object',
              additionalProperties: false,
              properties: {
                channel: { enum: ['email', 'call', 'letter'] },
                hoursFrom: { type: 'integer', minimum: 0, maximum: 23 },
                hoursTo: { type: 'integer', minimum: 0, maximum: 23 },
                timezone: { type: 'string', description: 'IANA zone, e.g. Europe/Berlin' },
                apContactName: { type: 'string' },
                apContactEmail: { type: 'string' },
                apContactPhone: { type: 'string' },
                apPaymentPolicy: { type: 'string' },
                remarks: { type: 'string' },
              },
            },
            phone: {
              type: 'string',
              description: 'with wrong_number: the number that was wrong (default: all)',
            },
            contactId: { type: 'string' },
          },
        },
        TaskCompleted: {
          type: 'object',
          required: ['taskId', 'outcome', 'promiseId', 'disputeId', 'followUpTaskId', 'preferencesSaved'],
          properties: {
            taskId: { type: 'string' },
            outcome: { enum: ['reached', 'no_answer', 'promise', 'dispute', 'wrong_number', null] },
            promiseId: { type: ['string', 'null'] },
            disputeId: { type: ['string', 'null'] },
            followUpTaskId: {
              type: ['string', 'null'],
              description: 'the second try after no answer, or the task to find a working number',
            },
            preferencesSaved: { type: 'boolean' },
          },
        },
        SequenceList: list('Sequence'),
        MessageList: list('Message'),
        TaskList: list('Task'),
        CustomerList: list('Customer'),
        InvoiceList: list('Invoice'),
        ...caseSchemas(money, date),
        AgingBuckets: {
          type: 'object',
          required: ['current', '1-30', '31-60', '61-90', '90+'],
          properties: {
            current: money,
            '1-30': money,
            '31-60': money,
            '61-90': money,
            '90+': money,
          },
        },
        AgingSection: {
          type: 'object',
          required: ['currency', 'buckets', 'total', 'byCustomer'],
          properties: {
            currency: { type: 'string' },
            buckets: { $ref: '#/components/schemas/AgingBuckets' },
            total: money,
            byCustomer: {
              type: 'array',
              description: 'Customers with an open balance, largest first',
              items: {
                type: 'object',
                required: ['customerId', 'name', 'buckets', 'total'],
                properties: {
                  customerId: { type: 'string' },
                  name: { type: 'string' },
                  buckets: { $ref: '#/components/schemas/AgingBuckets' },
                  total: money,
                },
              },
            },
          },
        },
        AgingReport: {
          description:
            'Open balances by days past the due date, in the base currency of the firm; other currencies under byCurrency. Historical asOf uses the balances as stored now.',
          allOf: [
            { $ref: '#/components/schemas/AgingSection' },
            {
              type: 'object',
              required: ['asOf', 'byCurrency'],
              properties: {
                asOf: date,
                byCurrency: { type: 'array', items: { $ref: '#/components/schemas/AgingSection' } },
              },
            },
          ],
        },
        MetricsReport: {
          type: 'object',
          description:
            'Days and percentages with one decimal; null when not measurable. Credit sales = invoices issued in the period (by issue date), voided and deleted excluded; base currency only.',
          required: [
            'from',
            'to',
            'currency',
            'dso',
            'bestPossibleDso',
            'add',
            'cei',
            'promiseKeptRate',
            'trend',
          ],
          properties: {
            from: date,
            to: date,
            currency: { type: 'string' },
            dso: {
              type: 'object',
              required: ['standard', 'countback'],
              properties: { standard: days, countback: days },
            },
            bestPossibleDso: days,
            add: { ...days, description: 'Average days delinquent: standard DSO − best possible DSO' },
            cei: { type: ['number', 'null'], description: 'Collection effectiveness index, percent' },
            promiseKeptRate: { type: ['number', 'null'], description: 'Percent of promises kept' },
            trend: {
              type: 'array',
              description: 'The last six calendar months, oldest first',
              items: {
                type: 'object',
                required: ['month', 'asOf', 'ar', 'creditSales', 'dsoStandard', 'dsoCountback'],
                properties: {
                  month: { type: 'string', pattern: '^\\d{4}-\\d{2}$' },
                  asOf: date,
                  ar: money,
                  creditSales: money,
                  dsoStandard: days,
                  dsoCountback: days,
                },
              },
            },
          },
        },
      },
    },
    paths: {
      ...casePaths(listParams, errors),
      '/customers': {
        get: {
          summary: 'List customers',
          parameters: listParams,
          responses: {
            '200': {
              description: 'A page of customers',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/CustomerList' } } },
            },
            ...errors,
          },
        },
      },
      '/customers/{id}': {
        get: {
          summary: 'One customer',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': {
              description: 'The customer',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Customer' } } },
            },
            '404': errors['400'],
            '401': errors['401'],
          },
        },
      },
      '/invoices': {
        get: {
          summary: 'List invoices',
          parameters: [
            ...listParams,
            {
              name: 'status',
              in: 'query',
              schema: { enum: ['open', 'paid', 'voided', 'all'], default: 'all' },
            },
            { name: 'customerId', in: 'query', schema: { type: 'string' } },
          ],
          responses: {
            '200': {
              description: 'A page of invoices',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/InvoiceList' } } },
            },
            ...errors,
          },
        },
      },
      '/invoices/{id}': {
        get: {
          summary: 'One invoice',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': {
              description: 'The invoice',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Invoice' } } },
            },
            '404': errors['400'],
            '401': errors['401'],
          },
        },
      },
      '/sequences': {
        get: {
          summary: "List the firm's reminder sequences (current versions; one page)",
          responses: {
            '200': {
              description: 'All sequences',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/SequenceList' } } },
            },
            '401': errors['401'],
          },
        },
      },
      '/sequences/{key}': {
        get: {
          summary: 'One sequence',
          parameters: [{ name: 'key', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': {
              description: 'The sequence',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Sequence' } } },
            },
            '404': errors['400'],
            '401': errors['401'],
          },
        },
        put: {
          summary: 'Create or change a sequence (a change makes a new version)',
          parameters: [{ name: 'key', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/SequenceInput' } } },
          },
          responses: {
            '200': {
              description: 'The sequence after the change (same version when nothing changed)',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Sequence' } } },
            },
            '201': {
              description: 'The new sequence',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Sequence' } } },
            },
            ...errors,
          },
        },
      },
      '/messages': {
        get: {
          summary: 'List reminder messages',
          parameters: [...listParams, { name: 'customerId', in: 'query', schema: { type: 'string' } }],
          responses: {
            '200': {
              description: 'A page of messages',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/MessageList' } } },
            },
            ...errors,
          },
        },
      },
      '/messages/{id}/bounce': {
        post: {
          summary: 'Report a hard bounce (an ESP webhook relayed by the firm, or a clerk)',
          description:
            'Marks the message and its e-mail bounced, the address bad (later reminders to it become call tasks) and creates a task to find a working address; reporting again changes nothing.',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: {
            content: {
              'application/json': {
                schema: { type: 'object', properties: { reason: { type: 'string', maxLength: 500 } } },
              },
            },
          },
          responses: {
            '200': { description: 'The message is bounced' },
            '404': errors['400'],
            '409': errors['400'],
            ...errors,
          },
        },
      },
      '/templates': {
        get: {
          summary: "The firm's e-mail templates: built-ins with the firm's overrides",
          responses: {
            '200': {
              description: 'All templates',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/TemplateList' } } },
            },
            '401': errors['401'],
          },
        },
      },
      '/templates/{key}': {
        get: {
          summary: 'One template (the firm override when there is one)',
          parameters: [{ name: 'key', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': {
              description: 'The template',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Template' } } },
            },
            '404': errors['400'],
            '401': errors['401'],
          },
        },
        put: {
          summary: "Save the firm's version (validated; a change bumps the version)",
          description:
            'Rejected whole with 400 `invalid_template` naming the line of the body, e.g. `line 7: unknown variable {{invoiceTotal}}`. An API token acts for the whole firm (clerk rights).',
          parameters: [{ name: 'key', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/TemplateInput' } } },
          },
          responses: {
            '200': {
              description: 'Saved (same version when nothing changed)',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Template' } } },
            },
            '201': {
              description: 'The first firm version',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Template' } } },
            },
            ...errors,
          },
        },
        delete: {
          summary:
            'Reset to the built-in (a firm-only template is removed: 204; 409 while a sequence step names it)',
          parameters: [{ name: 'key', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': {
              description: 'The built-in that applies again',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Template' } } },
            },
            '204': { description: 'Removed' },
            '404': errors['400'],
            '409': errors['400'],
            '401': errors['401'],
          },
        },
      },
      '/tasks': {
        get: {
          summary: "List the clerks' tasks (calls, letters, master-data checks), by due date",
          parameters: [
            ...listParams,
            {
              name: 'status',
              in: 'query',
              schema: { enum: ['open', 'done', 'cancelled', 'all'], default: 'all' },
            },
            { name: 'customerId', in: 'query', schema: { type: 'string' } },
            {
              name: 'assignee',
              in: 'query',
              description: 'a user id, or `unassigned`',
              schema: { type: 'string' },
            },
            {
              name: 'due',
              in: 'query',
              description: 'against the firm’s local date',
              schema: { enum: ['today', 'overdue', 'upcoming'] },
            },
            { name: 'kind', in: 'query', schema: { enum: ['call', 'letter', 'master_data', 'other'] } },
          ],
          responses: {
            '200': {
              description: 'A page of tasks',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/TaskList' } } },
            },
            ...errors,
          },
        },
      },
      '/tasks/{id}/complete': {
        post: {
          summary:
            'Complete a task with its outcome (a promise or a dispute is recorded, follow-ups created)',
          description:
            'Once: completing a task that is already done answers 409. Bad input answers 400 and changes nothing.',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/TaskCompletion' } } },
          },
          responses: {
            '200': {
              description: 'The task is done',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/TaskCompleted' } } },
            },
            '404': errors['400'],
            '409': errors['400'],
            ...errors,
          },
        },
      },
      '/tasks/{id}/assign': {
        post: {
          summary: 'Assign a task to a member who can work tasks (clerk or above), or unassign with null',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['assigneeUserId'],
                  additionalProperties: false,
                  properties: { assigneeUserId: { type: ['string', 'null'] } },
                },
              },
            },
          },
          responses: {
            '200': { description: 'The task with its assignee' },
            '404': errors['400'],
            ...errors,
          },
        },
      },
      '/tasks/{id}/reopen': {
        post: {
          summary: 'Open a done or cancelled task again (what its completion created stays)',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'The task is open' },
            '404': errors['400'],
            '409': errors['400'],
            ...errors,
          },
        },
      },
      '/reports/aging': {
        get: {
          summary: 'Aging of open receivables',
          parameters: [
            {
              name: 'asOf',
              in: 'query',
              description: "YYYY-MM-DD; default today in the firm's time zone",
              schema: date,
            },
          ],
          responses: {
            '200': {
              description: 'The aging report',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/AgingReport' } } },
            },
            ...errors,
          },
        },
      },
      '/reports/metrics': {
        get: {
          summary: 'DSO, best possible DSO, ADD, CEI and promise-kept rate for a period',
          parameters: [
            { name: 'from', in: 'query', description: 'YYYY-MM-DD; default 89 days before to', schema: date },
            {
              name: 'to',
              in: 'query',
              description: "YYYY-MM-DD; default today in the firm's time zone",
              schema: date,
            },
          ],
          responses: {
            '200': {
              description: 'The metrics',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/MetricsReport' } } },
            },
            ...errors,
          },
        },
      },
    },
  };
}
