// A mail catcher for trying send_email locally: an SMTP server on 127.0.0.1 that accepts every mail
// and prints it (no TLS, no auth, nothing is delivered anywhere).
//
//   npm run dev:smtp                 # listens on 127.0.0.1:2525
//   BERTH_SMTP_URL=smtp://127.0.0.1:2525 BERTH_SMTP_FROM='Berth <berth@example.org>' npm start
import { startSmtpReceiver } from '../src/modules/tools/testdata/smtp-receiver.js';

const port = Number(process.argv[2] ?? 2525);
const receiver = await startSmtpReceiver({
  port,
  onMail: (mail) => {
    const { subject = '', 'message-id': id = '' } = mail.headers;
    process.stdout.write(
      `\n── mail ${mail.from} → ${mail.to.join(', ')}\nSubject: ${subject}\nMessage-ID: ${id}\n\n${mail.body.trim()}\n`,
    );
  },
});
process.stdout.write(`Catching mail on smtp://127.0.0.1:${receiver.port} (Ctrl-C to stop)\n`);
process.on('SIGINT', () => void receiver.close().then(() => process.exit(0)));
