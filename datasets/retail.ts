// retail: online-retail invoice lines modelled on the UCI "Online Retail" data set (a UK gift shop, Dec 2010 to
// Dec 2011), dirt included — guest checkouts without a customer, cancellations, duplicate lines, lines without a
// description, non-product codes — plus a `products` table mapping stock codes to a category.
import type * as arrow from 'apache-arrow';
import type { Schema } from '../plan/index.ts';
import { AliasTable, aliasPick } from './alias.ts';
import { buildTable, float64Data, int32Data, pooledUtf8, roundTo, runsUtf8, TimestampColumn, Utf8Builder, utf8Bytes, Utf8Pool, Validity } from './columns.ts';
import type { Dataset, DatasetParams } from './dataset.ts';
import { checkRows, checkSeed, resolveParams } from './params.ts';
import { startPart, type PartColumns } from './parallel.ts';
import { chooseDistinct, intOf, Prng, unitOf } from './prng.ts';

/**
 * The dirt, as probabilities. Tests check the generated data against these, and the README explains them.
 * Rates are close to the real data set's (25% of lines without CustomerID, ~2% cancellation lines, ~1% duplicated
 * lines, 0.27% without Description, ~0.5% postage/manual/fee codes).
 */
export const RETAIL_DIRT = {
  /** Share of invoices (and so, on average, of lines) with customer_id NULL: guest checkouts. */
  nullCustomerInvoices: 0.25,
  /** Share of invoices that are cancellations: invoice 'C' + number, every quantity negative. */
  cancelledInvoices: 0.02,
  /** Share of lines (after an invoice's first) that exactly repeat the previous line: a double-submitted line. */
  duplicateLines: 0.01,
  /** Share of lines that are stock adjustments: description NULL and price 0. */
  nullDescriptionLines: 0.003,
  /** Share of lines with a non-product code (postage, manual, fees) that is absent from `products`. */
  unknownCodeLines: 0.005,
} as const;

/** Categories of the products table (a handful, so the join + aggregate result stays readable). */
export const CATEGORIES: readonly { readonly name: string; readonly nouns: readonly string[] }[] = [
  { name: 'Home Decor', nouns: ['T-LIGHT HOLDER', 'PHOTO FRAME', 'CUSHION COVER', 'WALL CLOCK', 'DOORMAT', 'LANTERN'] },
  { name: 'Kitchen', nouns: ['CAKE STAND', 'TEA CUP AND SAUCER', 'LUNCH BOX', 'JAM MAKING SET', 'BAKING CASES', 'MUG'] },
  { name: 'Bags', nouns: ['JUMBO BAG', 'SHOPPER BAG', 'LUNCH BAG', 'TOTE BAG', 'CHARLOTTE BAG'] },
  { name: 'Stationery', nouns: ['NOTEBOOK', 'WRAPPING PAPER', 'GREETING CARD', 'PENCIL SET', 'STICKER SHEET'] },
  { name: 'Toys', nouns: ['SPACEBOY SET', 'SKITTLES', 'DOLLY GIRL KIT', 'TOY TIDY', 'PLAYHOUSE'] },
  { name: 'Garden', nouns: ['WATERING CAN', 'BIRD FEEDER', 'PLANT POT', 'GARDEN SIGN', 'HANGING FLOWER'] },
  { name: 'Christmas', nouns: ['CHRISTMAS BAUBLE', 'ADVENT CALENDAR', 'TREE DECORATION', 'CHRISTMAS STOCKING'] },
  { name: 'Party', nouns: ['PARTY BUNTING', 'PAPER CHAIN KIT', 'NAPKINS', 'BALLOONS', 'CANDLE SET'] },
];
const STYLES = ['WHITE', 'RED', 'PINK', 'BLUE', 'VINTAGE', 'RETRO', 'REGENCY', 'PAISLEY', 'SPOTTY', 'HEART', 'ROSE', 'ANTIQUE SILVER', 'WOODLAND', 'POLKADOT', 'STRAWBERRY', 'SKULL'];

/** Codes that appear in transactions but not in products (as in the real data: postage, manual lines, fees). */
export const NON_PRODUCT_CODES: readonly { readonly code: string; readonly description: string; readonly price: number }[] = [
  { code: 'POST', description: 'POSTAGE', price: 18 },
  { code: 'DOT', description: 'DOTCOM POSTAGE', price: 11.17 },
  { code: 'M', description: 'Manual', price: 2.55 },
  { code: 'C2', description: 'CARRIAGE', price: 50 },
  { code: 'BANK CHARGES', description: 'Bank Charges', price: 15 },
  { code: 'PADS', description: 'PADS TO MATCH ALL CUSHIONS', price: 0.001 },
];

/** Countries of customers; most trade is domestic, as in the real data (~90% United Kingdom). */
const COUNTRIES: readonly (readonly [string, number])[] = [
  ['United Kingdom', 900], ['Germany', 18], ['France', 16], ['EIRE', 15], ['Spain', 5], ['Netherlands', 5],
  ['Belgium', 4], ['Switzerland', 4], ['Portugal', 3], ['Australia', 3], ['Norway', 2], ['Italy', 2],
  ['Channel Islands', 2], ['Finland', 1.5], ['Cyprus', 1.2], ['Sweden', 1], ['Austria', 0.8], ['Denmark', 0.8],
  ['Japan', 0.7], ['Poland', 0.6], ['USA', 0.5], ['Israel', 0.5], ['Unspecified', 0.8], ['Singapore', 0.4],
  ['Iceland', 0.3], ['Canada', 0.3], ['Greece', 0.3], ['Malta', 0.2], ['United Arab Emirates', 0.15],
  ['European Community', 0.1], ['RSA', 0.1], ['Lebanon', 0.1], ['Lithuania', 0.1], ['Brazil', 0.05],
  ['Czech Republic', 0.05], ['Bahrain', 0.03], ['Saudi Arabia', 0.02],
];

/** Quantities per line: mostly small packs, with wholesale dozens. */
const QUANTITIES = [1, 2, 3, 4, 6, 8, 10, 12, 24, 36, 48, 72, 96, 144];
const QUANTITY_WEIGHTS = [25, 15, 6, 5, 8, 3, 5, 18, 6, 2, 2, 1, 1, 1];

/** The catalogue has a fixed size, like a shop's (the real data has ~4,000 stock codes). */
export const PRODUCT_COUNT = 4000;
/** The real data's number of customers; fewer for small row counts (about 124 lines per customer). */
const MAX_CUSTOMERS = 4372;
const FIRST_INVOICE = 536365;
const FIRST_CUSTOMER = 12346;
/** Trading days from 2010-12-01 to 2011-12-09, 08:00–18:00 UTC. */
const FIRST_DAY_MS = Date.UTC(2010, 11, 1);
const TRADING_DAYS = 373;
const OPEN_HOUR = 8;
const OPEN_HOURS = 10;
/** Mean lines per invoice (the real data: 541,909 lines / 25,900 invoices ≈ 21). */
const MEAN_LINES = 20;
const MAX_LINES = 200;

const TRANSACTIONS: Schema = [
  { name: 'invoice', type: 'utf8', doc: "invoice number, 6 digits from 536365 upwards in time order; cancellations are 'C' + number" },
  { name: 'stock_code', type: 'utf8', doc: "product code (5 digits, sometimes a letter suffix, e.g. '85123A'); ~0.5% are non-product codes (POST, DOT, M, C2, BANK CHARGES, PADS) absent from products" },
  { name: 'description', type: 'utf8', doc: 'product name in capitals; NULL on ~0.3% of lines (stock adjustments, which have price 0)' },
  { name: 'quantity', type: 'int32', doc: 'units on the line; negative on cancellation invoices (~2% of lines)' },
  { name: 'invoice_date', type: 'timestamp', doc: 'invoice time (UTC, minute precision), 2010-12-01 to 2011-12-09, 08:00–18:00; non-decreasing with the invoice number' },
  { name: 'price', type: 'float64', doc: 'unit price in GBP (2 decimals), the product\'s list price; 0 on stock adjustments' },
  { name: 'customer_id', type: 'int32', doc: '5-digit customer id from 12346; NULL for ~25% of lines (guest checkouts)' },
  { name: 'country', type: 'utf8', doc: "customer's country, ~90% 'United Kingdom'" },
];

const PRODUCTS: Schema = [
  { name: 'stock_code', type: 'utf8', doc: 'product code, unique, sorted' },
  { name: 'category', type: 'utf8', doc: `one of ${CATEGORIES.map((c) => c.name).join(', ')}` },
];

interface Catalogue {
  readonly codes: readonly Uint8Array[];
  readonly descriptions: readonly Uint8Array[];
  readonly prices: Float64Array;
  readonly categories: Int32Array;
  readonly table: arrow.Table;
}

/** The products: PRODUCT_COUNT distinct codes with a category, a description built from it and a list price. */
function catalogue(seed: number): Catalogue {
  const rng = Prng.stream(seed, 'retail.products');
  // Distinct 5-digit numbers; a letter suffix on ~15% mimics variants such as '85123A'.
  const chosen = chooseDistinct(90000, PRODUCT_COUNT, rng);
  const codes: string[] = [];
  for (let i = 0; i < chosen.length; i++) {
    if (!chosen[i]) continue;
    const suffix = rng.chance(0.15) ? String.fromCharCode(65 + rng.int(6)) : '';
    codes.push(String(10000 + i) + suffix);
  }
  const categories = new Int32Array(PRODUCT_COUNT);
  const prices = new Float64Array(PRODUCT_COUNT);
  const descriptions: Uint8Array[] = [];
  const stockCode = new Utf8Builder(PRODUCT_COUNT, 6, 'products.stock_code');
  const category = new Utf8Builder(PRODUCT_COUNT, 8, 'products.category');
  const categoryBytes = CATEGORIES.map((c) => utf8Bytes(c.name));
  for (let p = 0; p < PRODUCT_COUNT; p++) {
    const c = rng.int(CATEGORIES.length);
    const nouns = CATEGORIES[c]!.nouns;
    categories[p] = c;
    descriptions.push(utf8Bytes(`${STYLES[rng.int(STYLES.length)]} ${nouns[rng.int(nouns.length)]}`));
    // Log-normal list prices: median about £2.10, a long tail to ~£40.
    prices[p] = Math.max(0.1, roundTo(2.1 * Math.exp(0.8 * rng.normal()), 2));
    stockCode.push(utf8Bytes(codes[p]!));
    category.push(categoryBytes[c]!);
  }
  const table = buildTable(PRODUCTS, { stock_code: stockCode.finish(), category: category.finish() });
  return { codes: codes.map(utf8Bytes), descriptions, prices, categories, table };
}

/** The most draws one line takes: duplicate?, unknown code?, then product (2), quantity (2) and description. */
const MAX_DRAWS_PER_LINE = 7;
const DRAW_BLOCK = 1024;
/**
 * Invoices whose lines draw from one stream, 'retail.lines.<block>' (revision 2; one stream for all lines before):
 * the lines of a run of blocks can then be written apart from the rest, so the helper thread writes the last ones.
 */
const INVOICES_PER_LINE_STREAM = 1024;
/**
 * Share of the line blocks the helper thread writes. It also writes the invoice-level columns, which cost about a
 * third of writing all the lines (measured), so the calling thread keeps the larger share.
 */
const HELPER_LINE_SHARE = 0.3;

/** The first invoice whose lines the helper part writes (a block boundary; `count` when it writes none). */
function helperFirstInvoice(count: number): number {
  const blocks = Math.ceil(count / INVOICES_PER_LINE_STREAM);
  return Math.min(count, Math.round(blocks * (1 - HELPER_LINE_SHARE)) * INVOICES_PER_LINE_STREAM);
}

/** The columns an invoice's lines are written to (one row per line). */
interface LineColumns {
  readonly itemIdx: Int32Array;
  readonly quantity: Int32Array;
  readonly price: Float64Array;
  readonly descriptionValid: Validity;
}

/**
 * Writes an invoice's lines (item, quantity, price, missing descriptions, and what the lines share). A small method
 * of its own, so V8 optimises the hot loop apart from the large generate function. Its draws come from the
 * current block's stream (`useStream`) in blocks (Prng.fill) and are turned into values with intOf/unitOf/aliasPick,
 * in the order the per-draw calls took them: a call per draw kept the generator's state in memory and was not
 * inlined here.
 */
class LineWriter {
  private readonly nonProductPrices = Float64Array.from(NON_PRODUCT_CODES, (n) => n.price);
  private readonly quantityValues = Int32Array.from(QUANTITIES);
  /** Drawn but not yet used: draws[next..]. The stream is this writer's alone, so drawing ahead changes nothing. */
  private readonly draws = new Uint32Array(DRAW_BLOCK);
  private next = DRAW_BLOCK;
  private rng: Prng | null = null;
  /** Bytes of the stock_code and description columns so far, counted here so that pooledUtf8 need not. */
  codeBytes = 0;
  descriptionBytes = 0;

  constructor(
    private readonly productPopularity: AliasTable,
    private readonly rankToProduct: Int32Array,
    private readonly quantities: AliasTable,
    private readonly listPrices: Float64Array,
    /** Per item (products, then non-product codes): the byte length of its stock code and of its description. */
    private readonly codeLengths: Int32Array,
    private readonly descriptionLengths: Int32Array,
    private readonly out: LineColumns,
  ) {}

  /** Draw the next lines from `rng` (a block's stream), dropping what was drawn ahead from the previous one. */
  useStream(rng: Prng): void {
    this.rng = rng;
    this.next = DRAW_BLOCK;
  }

  /**
   * Rows start..end-1: one invoice's lines; sign -1 on a cancellation. A line may repeat the previous one. (What an
   * invoice's lines share — number, date, customer, country — is written per invoice: see invoiceColumns.)
   */
  write(start: number, end: number, sign: number): void {
    const out = this.out;
    const { itemIdx, quantity, price } = out;
    const popularity = this.productPopularity;
    const quantities = this.quantities;
    const { rankToProduct, quantityValues, listPrices, nonProductPrices, codeLengths, descriptionLengths } = this;
    const u = this.draws;
    let k = this.next;
    let codeBytes = this.codeBytes;
    let descriptionBytes = this.descriptionBytes;
    let item = 0;
    let hasDescription = true;
    let qty = 0;
    let unitPrice = 0;
    for (let row = start; row < end; row++) {
      if (k > DRAW_BLOCK - MAX_DRAWS_PER_LINE) {
        u.copyWithin(0, k);
        this.rng!.fill(u, DRAW_BLOCK - k);
        k = 0;
      }
      if (!(row > start && unitOf(u[k++]!) < RETAIL_DIRT.duplicateLines)) {
        if (unitOf(u[k++]!) < RETAIL_DIRT.unknownCodeLines) {
          const j = intOf(u[k++]!, nonProductPrices.length);
          item = PRODUCT_COUNT + j;
          hasDescription = true;
          qty = sign * (1 + intOf(u[k++]!, 3));
          unitPrice = nonProductPrices[j]!;
        } else {
          // Two AliasTable.sample draws each: a slot, then its own index or its alias.
          const p = rankToProduct[aliasPick(popularity, u[k]!, u[k + 1]!)]!;
          item = p;
          qty = sign * quantityValues[aliasPick(quantities, u[k + 2]!, u[k + 3]!)]!;
          k += 4;
          hasDescription = !(unitOf(u[k++]!) < RETAIL_DIRT.nullDescriptionLines);
          unitPrice = hasDescription ? listPrices[p]! : 0;
        }
      }
      // What the invoice's lines share is written here too: one pass instead of a fill call per column and invoice.
      itemIdx[row] = item;
      if (!hasDescription) out.descriptionValid.setNull(row);
      quantity[row] = qty;
      price[row] = unitPrice;
      codeBytes += codeLengths[item]!;
      descriptionBytes += hasDescription ? descriptionLengths[item]! : 0;
    }
    this.next = k;
    this.codeBytes = codeBytes;
    this.descriptionBytes = descriptionBytes;
  }
}

/** Per invoice, in order: its number (an index into the invoice pool), its last row + 1, its country, sign, date and customer. */
class InvoiceRuns {
  numbers: Int32Array;
  ends: Int32Array;
  countries: Int32Array;
  /** -1 on a cancellation, else 1. */
  signs: Int32Array;
  /** The invoice's time, ms since the epoch. */
  dates: Float64Array;
  /** The customer's id; 0 for a guest. */
  customers: Int32Array;
  count = 0;

  constructor(capacity: number) {
    this.numbers = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.countries = new Int32Array(capacity);
    this.signs = new Int32Array(capacity);
    this.dates = new Float64Array(capacity);
    this.customers = new Int32Array(capacity);
  }

  push(number: number, end: number, country: number, sign: number, date: number, customer: number): void {
    if (this.count === this.ends.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      [this.numbers, this.ends, this.countries, this.signs, this.customers] = [this.numbers, this.ends, this.countries, this.signs, this.customers].map(grow);
      this.dates = grow(this.dates);
    }
    const i = this.count++;
    this.numbers[i] = number;
    this.ends[i] = end;
    this.countries[i] = country;
    this.signs[i] = sign;
    this.dates[i] = date;
    this.customers[i] = customer;
  }
}

interface InvoicePlan {
  /** The customers' stream, where the customers end: the product popularity shuffle continues it. */
  readonly rngCust: Prng;
  readonly invoicePool: Utf8Pool;
  readonly invoices: InvoiceRuns;
}

/**
 * The customers and the invoices: their numbers, where each ends, its country, sign, date and customer. Cheap (one
 * invoice per ~20 lines), so both threads compute it: the helper writes the invoice-level columns and the last
 * blocks' lines from it, this thread the other lines. Returns the customers' stream too: the product popularity
 * shuffle continues it.
 */
function invoicePlan(rows: number, seed: number): InvoicePlan {
  // Customers: each has a home country; a few are far more active than others (like real B2B buyers).
  const rngCust = Prng.stream(seed, 'retail.customers');
  const customerCount = Math.min(MAX_CUSTOMERS, Math.max(20, Math.ceil(rows / 124)));
  const countryTable = new AliasTable(COUNTRIES.map((c) => c[1]));
  const customerIds = new Int32Array(customerCount);
  const customerCountry = new Int32Array(customerCount);
  for (let c = 0, id = FIRST_CUSTOMER; c < customerCount; c++) {
    id += 1 + rngCust.int(2);
    customerIds[c] = id;
    customerCountry[c] = countryTable.sample(rngCust);
  }
  const customerActivity = new AliasTable(Array.from({ length: customerCount }, (_, k) => 1 / Math.pow(k + 1, 0.7)));

  // Invoice numbers go into a packed pool, one per invoice; the invoice and country columns are runs, one per
  // invoice (its last row + 1, its country), written by runsUtf8.
  const invoicePool = new Utf8Pool();
  const invoices = new InvoiceRuns(Math.ceil(rows / MEAN_LINES) + 16);
  const rngInv = Prng.stream(seed, 'retail.invoices');
  const dayMs = 86_400_000;
  let invoiceNo = FIRST_INVOICE;
  let row = 0;
  while (row < rows) {
    const lines = Math.min(MAX_LINES, 1 + Math.floor(rngInv.exponential(MEAN_LINES - 1)), rows - row);
    const cancelled = rngInv.chance(RETAIL_DIRT.cancelledInvoices);
    // Cancellations always name the customer whose order is reversed.
    const guest = !cancelled && rngInv.chance(RETAIL_DIRT.nullCustomerInvoices / (1 - RETAIL_DIRT.cancelledInvoices));
    const cust = customerActivity.sample(rngInv);
    const country = guest ? 0 : customerCountry[cust]!;
    // Time advances with the position in the data set, so invoice numbers and dates grow together.
    const dayPos = (row / rows) * TRADING_DAYS;
    const day = Math.floor(dayPos);
    const minuteOfDay = OPEN_HOUR * 60 + Math.floor((dayPos - day) * OPEN_HOURS * 60);
    const end = row + lines;
    const dateMs = FIRST_DAY_MS + day * dayMs + minuteOfDay * 60_000;
    invoices.push(invoicePool.addNumber(cancelled ? 'C' : '', invoiceNo), end, country, cancelled ? -1 : 1, dateMs, guest ? 0 : customerIds[cust]!);
    row = end;
    invoiceNo += 1 + (rngInv.chance(0.05) ? 1 : 0);
  }
  return { rngCust, invoicePool, invoices };
}

/** The invoice-level columns (invoice, date, customer, country) of invoices first..end-1: their rows only. */
function invoiceColumns(plan: InvoicePlan, first: number, end: number): PartColumns {
  const { invoicePool, invoices } = plan;
  const { dates, customers } = invoices;
  const from = rowOfInvoice(plan, first);
  const n = rowOfInvoice(plan, end) - from;
  // The runs of these invoices, ending where each invoice ends, counted from the range's first row.
  const ends = invoices.ends.subarray(first, end).map((e) => e - from);
  const invoiceDate = new TimestampColumn(n);
  const customer = new Int32Array(n);
  const customerValid = new Validity(n);
  for (let i = first, start = 0; i < end; i++) {
    const stop = ends[i - first]!;
    invoiceDate.fill(start, stop, dates[i]!);
    const id = customers[i]!;
    if (id === 0) for (let r = start; r < stop; r++) customerValid.setNull(r);
    else customer.fill(id, start, stop);
    start = stop;
  }
  return {
    invoice: runsUtf8(ends, invoices.numbers.subarray(first, end), end - first, invoicePool, 'transactions.invoice'),
    invoice_date: invoiceDate.finish(),
    customer_id: int32Data(customer, customerValid),
    country: runsUtf8(ends, invoices.countries.subarray(first, end), end - first, COUNTRIES.map((c) => utf8Bytes(c[0])), 'transactions.country'),
  };
}

/** The first row of invoice `i` (the row count when i is the number of invoices). */
function rowOfInvoice(plan: InvoicePlan, i: number): number {
  return i === 0 ? 0 : plan.invoices.ends[i - 1]!;
}

/**
 * What writing lines needs besides the plan: the catalogue, product popularity (its rank order shuffled by the
 * customers' stream, which the plan left where the customers end), quantities and the string pools. Each thread
 * that writes lines builds it once.
 */
function lineSetup(seed: number, plan: InvoicePlan) {
  const products = catalogue(seed);
  const productPopularity = new AliasTable(Array.from({ length: PRODUCT_COUNT }, (_, k) => 1 / Math.pow(k + 1, 0.6)));
  // Popularity rank is a random permutation of the catalogue, so popular products are spread over categories.
  const rankToProduct = new Int32Array(PRODUCT_COUNT);
  for (let i = 0; i < PRODUCT_COUNT; i++) rankToProduct[i] = i;
  for (let i = PRODUCT_COUNT - 1; i > 0; i--) {
    const j = plan.rngCust.int(i + 1);
    const t = rankToProduct[i]!;
    rankToProduct[i] = rankToProduct[j]!;
    rankToProduct[j] = t;
  }
  const quantities = new AliasTable(QUANTITY_WEIGHTS);
  const nonProductCodes = NON_PRODUCT_CODES.map((n) => ({ code: utf8Bytes(n.code), description: utf8Bytes(n.description) }));
  // Strings are recorded as indices into pools and written in one pass at the end (columns.ts: pooledUtf8).
  // Item pool: the products, then the non-product codes.
  const codePool = Utf8Pool.of([...products.codes, ...nonProductCodes.map((n) => n.code)]);
  const descriptionPool = Utf8Pool.of([...products.descriptions, ...nonProductCodes.map((n) => n.description)]);
  return { products, productPopularity, rankToProduct, quantities, codePool, descriptionPool };
}

type LineSetup = ReturnType<typeof lineSetup>;

/** The line-level columns (stock code, description, quantity, price) of invoices first..end-1 (first a block boundary): their rows only. */
function lineColumns(seed: number, plan: InvoicePlan, setup: LineSetup, first: number, end: number): PartColumns {
  const { ends, signs } = plan.invoices;
  const from = rowOfInvoice(plan, first);
  const n = rowOfInvoice(plan, end) - from;
  const itemIdx = new Int32Array(n);
  const quantity = new Int32Array(n);
  const price = new Float64Array(n);
  const descriptionValid = new Validity(n);
  const { codePool, descriptionPool } = setup;
  const writer = new LineWriter(setup.productPopularity, setup.rankToProduct, setup.quantities, setup.products.prices, codePool.lengths, descriptionPool.lengths, {
    itemIdx, quantity, price, descriptionValid,
  });
  for (let i = first, start = from; i < end; i++) {
    if (i % INVOICES_PER_LINE_STREAM === 0) writer.useStream(Prng.stream(seed, `retail.lines.${i / INVOICES_PER_LINE_STREAM}`));
    const stop = ends[i]!;
    writer.write(start - from, stop - from, signs[i]!);
    start = stop;
  }
  return {
    stock_code: pooledUtf8(itemIdx, codePool, undefined, 'transactions.stock_code', writer.codeBytes),
    description: pooledUtf8(itemIdx, descriptionPool, descriptionValid, 'transactions.description', writer.descriptionBytes),
    quantity: int32Data(quantity),
    price: float64Data(price),
  };
}

/**
 * The helper thread's part (datasets/parallel.ts): the invoice-level columns of both row ranges, and the last
 * blocks' lines. Names are prefixed by the range: 'head.invoice', 'tail.stock_code', ...
 */
function helperColumns(plan: InvoicePlan, setup: LineSetup, seed: number): PartColumns {
  const [count, split] = [plan.invoices.count, helperFirstInvoice(plan.invoices.count)];
  const prefixed = (prefix: string, columns: PartColumns) => Object.entries(columns).map(([name, data]) => [`${prefix}.${name}`, data] as const);
  return Object.fromEntries([
    ...prefixed('tail', lineColumns(seed, plan, setup, split, count)),
    ...prefixed('head', invoiceColumns(plan, 0, split)),
    ...prefixed('tail', invoiceColumns(plan, split, count)),
  ]);
}

function generate(rows: number, seed: number, given: DatasetParams): ReadonlyMap<string, arrow.Table> {
  checkRows(rows);
  checkSeed(seed);
  resolveParams('retail', retail.params, given); // bad arguments fail here, before the helper is asked
  const helperPart = startPart('retail', 'helper', rows, seed, given);
  const plan = invoicePlan(rows, seed);
  const setup = lineSetup(seed, plan);
  const headLines = lineColumns(seed, plan, setup, 0, helperFirstInvoice(plan.invoices.count));
  const helped = helperPart.take(() => helperColumns(plan, setup, seed));
  const range = (prefix: string): PartColumns =>
    Object.fromEntries(Object.entries(helped).flatMap(([name, data]) => (name.startsWith(`${prefix}.`) ? [[name.slice(prefix.length + 1), data]] : [])));
  // Two record batches, the rows each thread wrote lines for: joining them into one would copy every column.
  const transactions = buildTable(TRANSACTIONS, [{ ...headLines, ...range('head') }, range('tail')]);
  return new Map([
    ['transactions', transactions],
    ['products', setup.products.table],
  ]);
}

/**
 * The `retail` dataset: `transactions` (invoice lines) and `products` (stock code → category).
 *
 * @example
 * const tables = retail.generate(100_000, 42, {});
 * tables.get('transactions')!.numRows; // 100000
 */
export const retail: Dataset = {
  name: 'retail',
  doc:
    'Invoice lines of an online gift shop, modelled on the UCI Online Retail data set (Dec 2010 – Dec 2011), with its ' +
    'dirt: a quarter of the lines have no customer (guest checkouts), ~2% belong to cancellation invoices (invoice ' +
    "'C…', negative quantity), ~1% are exact duplicates of the line before, ~0.3% lack a description (stock " +
    'adjustments at price 0), and ~0.5% carry postage/fee codes missing from `products`. The lessons: cleaning ' +
    '(dropna, filters, distinct) before aggregating, and a left join that keeps unmatched keys with a NULL category.',
  tables: [
    { name: 'transactions', doc: 'one row per invoice line', schema: TRANSACTIONS, rowsRule: 'rows' },
    { name: 'products', doc: 'the catalogue: one row per product stock code', schema: PRODUCTS, rowsRule: `fixed: ${PRODUCT_COUNT} products` },
  ],
  params: [],
  // 2: lines draw from a stream per block of invoices (so the helper thread can write the last blocks' lines).
  revision: 2,
  parts: {
    helper: (rows, seed) => {
      const plan = invoicePlan(rows, seed);
      return helperColumns(plan, lineSetup(seed, plan), seed);
    },
  },
  generate,
};
