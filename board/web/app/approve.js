// The customer's approval page (issue 17): opened from the link in the
// approval request on the customer's phone, no login. The token in the
// address is the permission; the page reads /approve/<token>/view and
// answers each proposed item with POST /approve/<token>/answer, which goes
// through the same approve/decline decision as the advisor's, recorded as
// the customer's own link. zh by default (the site's language), en on a tap.

const token = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] || '');
const base = `/approve/${encodeURIComponent(token)}`;

const T = {
  zh: {
    title: '增项确认', inspection: '检查结果', items: '建议增加的项目', name: '您的姓名',
    approve: '同意', decline: '不需要', approved: '已同意', declined: '已拒绝', waiting: '待确认',
    safety: '涉及行车安全', minutes: (m) => `约需 ${m} 分钟`, expires: (d) => `链接有效期至 ${d}`,
    needName: '请先填写您的姓名。', gone: '此链接已失效，请联系您的服务顾问获取新链接。', failed: '提交失败，请稍后重试。',
    GREEN: '良好', AMBER: '建议关注', RED: '需立即处理', other: 'English',
  },
  en: {
    title: 'Approve additional work', inspection: 'Inspection', items: 'Proposed work', name: 'Your name',
    approve: 'Approve', decline: 'Decline', approved: 'Approved', declined: 'Declined', waiting: 'Waiting',
    safety: 'Safety item', minutes: (m) => `about ${m} min`, expires: (d) => `This link works until ${d}`,
    needName: 'Please enter your name first.', gone: 'This link no longer works. Ask your service advisor for a new one.', failed: 'Sending failed; please try again.',
    GREEN: 'Good', AMBER: 'Attention soon', RED: 'Attention now', other: '中文',
  },
};

let lang = new URLSearchParams(location.search).get('lang') || '';
let view = null;
const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...kids) {
  const e = document.createElement(tag);
  Object.assign(e, props);
  for (const k of kids) if (k != null) e.append(k);
  return e;
}

function photos(list) {
  if (!list || list.length === 0) return null;
  const box = el('div', { className: 'photos' });
  for (const p of list) {
    const a = el('a', { href: p.url, target: '_blank', rel: 'noopener' });
    // A short video has no thumbnail: a ▶ tile opens it.
    a.append(p.thumb ? el('img', { src: p.thumb, alt: '', loading: 'lazy' }) : el('span', { className: 'video-tile' }, '▶'));
    box.append(a);
  }
  return box;
}

function render() {
  const t = T[lang];
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.title = `${t.title} · ${view ? view.site : 'Bayboard'}`;
  $('title').textContent = t.title;
  $('lang').textContent = t.other;
  $('inspection-title').textContent = t.inspection;
  $('items-title').textContent = t.items;
  $('name-label').textContent = t.name;
  if (!view) return;
  $('site').textContent = view.site;
  $('car').textContent = `${view.plate} · ${view.car} · ${view.order}`;
  $('expires').textContent = t.expires(new Date(view.expiresAt).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB'));

  const findings = $('findings');
  findings.replaceChildren();
  for (const f of view.inspection) {
    findings.append(el('li', { className: 'finding' },
      el('div', {}, el('span', { className: `light ${f.status}` }), `${f.name} · ${t[f.status]}`),
      f.note ? el('div', { className: 'note' }, f.note) : null,
      photos(f.photos)));
  }
  $('inspection-section').hidden = view.inspection.length === 0;

  const items = $('items');
  items.replaceChildren();
  for (const it of view.items) {
    const li = el('li', { className: 'item' });
    li.dataset.id = it.id;
    li.append(el('div', { className: 'item-head' }, el('span', {}, it.description), el('span', { className: 'price' }, `¥${it.price}`)));
    li.append(el('div', { className: 'meta' }, t.minutes(it.extraMinutes)));
    if (it.reason) li.append(el('div', { className: 'reason' }, it.reason));
    if (it.safety) li.append(el('div', { className: 'safety' }, t.safety));
    const ph = photos(it.photos);
    if (ph) li.append(ph);
    if (it.state === 'REQUESTED') {
      const yes = el('button', { type: 'button', className: 'approve', textContent: t.approve });
      const no = el('button', { type: 'button', className: 'decline', textContent: t.decline });
      yes.addEventListener('click', () => answer(it, true, li));
      no.addEventListener('click', () => answer(it, false, li));
      li.append(el('div', { className: 'actions' }, yes, no));
    } else {
      li.append(el('div', { className: `answered ${it.state}` }, it.state === 'APPROVED' ? t.approved : t.declined));
    }
    items.append(li);
  }
  $('items-section').hidden = view.items.length === 0;
}

function showError(msg) {
  $('error').textContent = msg;
  $('error').hidden = !msg;
}

async function answer(item, approve, li) {
  const t = T[lang];
  const name = $('name').value.trim();
  if (!name) {
    showError(t.needName);
    $('name').focus();
    return;
  }
  showError('');
  for (const b of li.querySelectorAll('button')) b.disabled = true;
  try {
    const res = await fetch(`${base}/answer`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ additionalWorkId: item.id, approve, name }),
    });
    const body = await res.json().catch(() => ({}));
    if (res.status === 404) { showError(t.gone); return; }
    if (!res.ok) {
      showError((body.errors && body.errors[0] && body.errors[0].message) || t.failed);
      await load();
      return;
    }
    item.state = body.state;
    render();
  } catch {
    showError(t.failed);
    for (const b of li.querySelectorAll('button')) b.disabled = false;
  }
}

async function load() {
  const res = await fetch(`${base}/view`, { cache: 'no-store' });
  if (!res.ok) {
    view = null;
    if (!lang) lang = 'zh';
    render();
    showError(T[lang].gone);
    return;
  }
  view = await res.json();
  if (!lang) lang = view.locale === 'en' ? 'en' : 'zh';
  render();
}

$('lang').addEventListener('click', () => {
  lang = lang === 'zh' ? 'en' : 'zh';
  render();
});
load();
