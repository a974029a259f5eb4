/**
 * Every string the widget shows, in one place: English and Russian. The loader imports only
 * `launcherStrings`, so the chat's strings stay out of the tiny embed script.
 */

export type Language = 'en' | 'ru';
export const LANGUAGES: Language[] = ['en', 'ru'];

/** `ru-RU` → `ru`; anything unknown → English. */
export function pickLanguage(...candidates: (string | null | undefined)[]): Language {
  for (const candidate of candidates) {
    const base = candidate?.toLowerCase().split('-')[0];
    if (base && (LANGUAGES as string[]).includes(base)) return base as Language;
  }
  return 'en';
}

export const launcherStrings = {
  en: {
    open: 'Open chat',
    close: 'Close chat',
    frame: 'Support chat',
    unread: (count: number) => `${count} unread`,
    dismiss: 'Dismiss',
  },
  ru: {
    open: 'Открыть чат',
    close: 'Закрыть чат',
    frame: 'Чат поддержки',
    unread: (count: number) => `Непрочитанных: ${count}`,
    dismiss: 'Скрыть',
  },
} satisfies Record<Language, unknown>;

const en = {
  title: 'Support',
  close: 'Close chat',
  waiting: 'Waiting for an agent…',
  connectedTo: (name: string) => `Connected to ${name}`,
  closed: 'Conversation closed',
  replyTime: {
    unknown: 'We will reply as soon as we can',
    minute: 'Usually replies in under a minute',
    fewMinutes: 'Usually replies in a few minutes',
    minutes: (minutes: number) => `Usually replies in about ${minutes} minutes`,
    hour: 'Usually replies in about an hour',
    hours: 'Usually replies in a few hours',
    day: 'Usually replies within a day',
  },
  greeting: 'Hi! Ask us anything — an agent will answer here.',
  pickCategory: 'What is it about? (optional)',
  topic: (category: string) => `Topic: ${category}`,
  message: 'Message',
  messagePlaceholder: 'Type a message…',
  send: 'Send',
  attach: 'Attach a file',
  removeAttachment: 'Remove attachment',
  you: 'You',
  agent: 'Agent',
  today: 'Today',
  yesterday: 'Yesterday',
  sending: 'Sending…',
  sent: 'Sent',
  failed: 'Not sent.',
  retry: 'Retry',
  discard: 'Discard',
  rateLimited: (seconds: number) => `Too many messages. Retrying in ${seconds} s…`,
  offline: 'You are offline. Messages will be sent when you are back online.',
  waitingForNetwork: 'Waiting for the connection…',
  loadFailed: 'Could not load the conversation.',
  tryAgain: 'Try again',
  attachment: 'Attachment',
  openAttachment: 'Open attachment',
  fileTooBig: 'Files can be 10 MB at most.',
  fileTypeNotAllowed: 'Only images, PDF and text files can be attached.',
  contactTitle: 'Our agents are busy. Leave your contact details and we will get back to you.',
  email: 'Email',
  phone: 'Phone',
  saveContact: 'Send details',
  contactSaved: (where: string) => `Thanks! We will contact you at ${where}.`,
  contactInvalid: 'Please give a valid email address or phone number.',
  youEnded: 'You ended the conversation',
  agentEnded: (name: string) => `${name} ended the conversation`,
  agentJoined: (name: string) => `${name} joined the conversation`,
  agentsBusy:
    'All our agents are busy right now. Leave your email or phone number and we will get back to you.',
  moreActions: 'More actions',
  endConversation: 'End conversation',
  endConfirmTitle: 'End this conversation?',
  endConfirmText: 'You can start a new one at any time.',
  endConfirm: 'Yes, end it',
  cancel: 'Cancel',
  downloadTranscript: 'Download transcript',
  transcriptFailed: 'The transcript could not be downloaded. Please try again.',
  rateTitle: 'How did we do?',
  rateStar: (stars: number) => `${stars} of 5 stars`,
  ratingComment: 'Comment (optional)',
  submitRating: 'Send rating',
  ratingThanks: 'Thank you for your feedback!',
  newConversation: 'Start a new conversation',
  errorGeneric: 'Something went wrong. Please try again.',
};

export type ChatStrings = typeof en;

const ru: ChatStrings = {
  title: 'Поддержка',
  close: 'Закрыть чат',
  waiting: 'Ждём свободного оператора…',
  connectedTo: (name) => `Вам отвечает ${name}`,
  closed: 'Разговор завершён',
  replyTime: {
    unknown: 'Ответим, как только сможем',
    minute: 'Обычно отвечаем в течение минуты',
    fewMinutes: 'Обычно отвечаем за несколько минут',
    // Always a multiple of 5 from 10 to 55: the genitive plural «минут» fits each.
    minutes: (minutes) => `Обычно отвечаем примерно за ${minutes} минут`,
    hour: 'Обычно отвечаем примерно за час',
    hours: 'Обычно отвечаем за несколько часов',
    day: 'Обычно отвечаем в течение дня',
  },
  greeting: 'Здравствуйте! Задайте вопрос — оператор ответит здесь.',
  pickCategory: 'Тема обращения (необязательно)',
  topic: (category) => `Тема: ${category}`,
  message: 'Сообщение',
  messagePlaceholder: 'Напишите сообщение…',
  send: 'Отправить',
  attach: 'Прикрепить файл',
  removeAttachment: 'Убрать файл',
  you: 'Вы',
  agent: 'Оператор',
  today: 'Сегодня',
  yesterday: 'Вчера',
  sending: 'Отправляется…',
  sent: 'Отправлено',
  failed: 'Не отправлено.',
  retry: 'Повторить',
  discard: 'Удалить',
  rateLimited: (seconds) => `Слишком много сообщений. Повтор через ${seconds} с…`,
  offline: 'Нет соединения. Сообщения уйдут, когда связь появится.',
  waitingForNetwork: 'Ждём соединения…',
  loadFailed: 'Не удалось загрузить разговор.',
  tryAgain: 'Попробовать снова',
  attachment: 'Вложение',
  openAttachment: 'Открыть вложение',
  fileTooBig: 'Файл может быть не больше 10 МБ.',
  fileTypeNotAllowed: 'Можно прикрепить изображения, PDF и текстовые файлы.',
  contactTitle: 'Все операторы заняты. Оставьте контакты — мы свяжемся с вами.',
  email: 'Эл. почта',
  phone: 'Телефон',
  saveContact: 'Отправить',
  contactSaved: (where) => `Спасибо! Мы свяжемся с вами: ${where}.`,
  contactInvalid: 'Укажите правильный адрес почты или номер телефона.',
  youEnded: 'Вы завершили разговор',
  agentEnded: (name) => `Разговор завершён оператором ${name}`,
  agentJoined: (name) => `${name} теперь в чате`,
  agentsBusy: 'Все операторы сейчас заняты. Оставьте почту или телефон — мы свяжемся с вами.',
  moreActions: 'Другие действия',
  endConversation: 'Завершить разговор',
  endConfirmTitle: 'Завершить разговор?',
  endConfirmText: 'Новый можно начать в любой момент.',
  endConfirm: 'Да, завершить',
  cancel: 'Отмена',
  downloadTranscript: 'Скачать переписку',
  transcriptFailed: 'Не удалось скачать переписку. Попробуйте ещё раз.',
  rateTitle: 'Оцените, как мы помогли',
  rateStar: (stars) => `${stars} из 5`,
  ratingComment: 'Комментарий (необязательно)',
  submitRating: 'Отправить оценку',
  ratingThanks: 'Спасибо за отзыв!',
  newConversation: 'Начать новый разговор',
  errorGeneric: 'Что-то пошло не так. Попробуйте ещё раз.',
};

export const chatStrings: Record<Language, ChatStrings> = { en, ru };
