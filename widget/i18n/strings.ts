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
  },
  ru: {
    open: 'Открыть чат',
    close: 'Закрыть чат',
    frame: 'Чат поддержки',
    unread: (count: number) => `Непрочитанных: ${count}`,
  },
} satisfies Record<Language, unknown>;

const en = {
  title: 'Support',
  idle: 'We are here to help',
  close: 'Close chat',
  waiting: 'Waiting for an agent…',
  connectedTo: (name: string) => `Connected to ${name}`,
  closed: 'Conversation closed',
  greeting: 'Hi! Ask us anything — an agent will answer here.',
  pickCategory: 'What can we help you with?',
  message: 'Message',
  messagePlaceholder: 'Type a message…',
  send: 'Send',
  attach: 'Attach a file',
  removeAttachment: 'Remove attachment',
  you: 'You',
  agent: 'Agent',
  system: 'Support',
  sending: 'Sending…',
  failed: 'Not sent.',
  retry: 'Retry',
  discard: 'Discard',
  rateLimited: (seconds: number) => `Too many messages. Retrying in ${seconds} s…`,
  offline: 'You are offline. Messages will be sent when you are back online.',
  reconnecting: 'Reconnecting…',
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
  endConversation: 'End conversation',
  downloadTranscript: 'Download transcript',
  transcriptFailed: 'The transcript could not be downloaded. Please try again.',
  rateTitle: 'How did we do?',
  rateStar: (stars: number) => `${stars} of 5 stars`,
  ratingComment: 'Comment (optional)',
  submitRating: 'Send rating',
  ratingThanks: 'Thank you for your feedback!',
  newConversation: 'Start a new conversation',
  ticketClosedDivider: (id: number) => `Conversation #${id} closed`,
  errorGeneric: 'Something went wrong. Please try again.',
};

export type ChatStrings = typeof en;

const ru: ChatStrings = {
  title: 'Поддержка',
  idle: 'Мы на связи',
  close: 'Закрыть чат',
  waiting: 'Ждём свободного оператора…',
  connectedTo: (name) => `Вам отвечает ${name}`,
  closed: 'Разговор завершён',
  greeting: 'Здравствуйте! Задайте вопрос — оператор ответит здесь.',
  pickCategory: 'С чем вам помочь?',
  message: 'Сообщение',
  messagePlaceholder: 'Напишите сообщение…',
  send: 'Отправить',
  attach: 'Прикрепить файл',
  removeAttachment: 'Убрать файл',
  you: 'Вы',
  agent: 'Оператор',
  system: 'Поддержка',
  sending: 'Отправляется…',
  failed: 'Не отправлено.',
  retry: 'Повторить',
  discard: 'Удалить',
  rateLimited: (seconds) => `Слишком много сообщений. Повтор через ${seconds} с…`,
  offline: 'Нет соединения. Сообщения уйдут, когда связь появится.',
  reconnecting: 'Переподключение…',
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
  endConversation: 'Завершить разговор',
  downloadTranscript: 'Скачать переписку',
  transcriptFailed: 'Не удалось скачать переписку. Попробуйте ещё раз.',
  rateTitle: 'Оцените, как мы помогли',
  rateStar: (stars) => `${stars} из 5`,
  ratingComment: 'Комментарий (необязательно)',
  submitRating: 'Отправить оценку',
  ratingThanks: 'Спасибо за отзыв!',
  newConversation: 'Начать новый разговор',
  ticketClosedDivider: (id) => `Разговор #${id} завершён`,
  errorGeneric: 'Что-то пошло не так. Попробуйте ещё раз.',
};

export const chatStrings: Record<Language, ChatStrings> = { en, ru };
