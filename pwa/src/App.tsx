import { SignIn } from './screens/SignIn';
import { Header } from './ui/Header';
import { StatusLine } from './ui/StatusLine';

export function App() {
  return (
    <div class="shell">
      <Header />
      <main class="main">
        <SignIn />
      </main>
      <footer class="footer">
        <StatusLine />
      </footer>
    </div>
  );
}
