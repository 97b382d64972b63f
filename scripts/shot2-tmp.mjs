import { chromium } from 'playwright-core';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
const p = await b.newPage({ viewport: { width: 1300, height: 1000 } });
const errors = []; p.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
await p.goto('file://' + process.argv[2] + '#' + process.argv[3]);
await p.waitForTimeout(1500);
const y0 = await p.evaluate((id) => document.getElementById(id).getBoundingClientRect().top + window.scrollY, process.argv[3]);
for (let i = 0; i < +process.argv[5]; i++) { await p.evaluate((y) => window.scrollTo(0, y), y0 + i * 1000); await p.waitForTimeout(300); await p.screenshot({ path: `${process.argv[4]}-${i}.png` }); }
console.log('errors', errors);
await b.close();
