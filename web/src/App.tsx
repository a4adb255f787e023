import type { ReactNode } from 'react';
import { Navigate, NavLink, Route, Routes } from 'react-router';
import { Loading } from './components/ui';
import { type Role, useSession } from './session/session';
import { SignInPage } from './pages/SignInPage';
import { QueuePage } from './pages/agent/QueuePage';
import { TicketPage } from './pages/agent/TicketPage';
import { InboxPage } from './pages/approver/InboxPage';
import { StaffPage } from './pages/admin/StaffPage';
import { AccountsPage } from './pages/admin/AccountsPage';
import { SystemsPage } from './pages/admin/SystemsPage';
import { HygienePage } from './pages/admin/HygienePage';
import { HeldPage } from './pages/admin/HeldPage';
import { ChangeRequestsPage } from './pages/admin/change-requests';
import { OutboxPage } from './pages/admin/OutboxPage';
import { DirectoryPage } from './pages/admin/DirectoryPage';
import { AuditPage } from './pages/auditor/AuditPage';
import { DrillsPage } from './pages/drills/DrillsPage';
import { RedeemPage } from './pages/public/RedeemPage';
import { CancelPage } from './pages/public/CancelPage';
import { NotMePage } from './pages/public/NotMePage';
import { AttestPage } from './pages/public/AttestPage';

/** Each screen, who it is for, and its place in the navigation. The server still decides every request. */
const SCREENS: { path: string; label?: string; roles: Role[]; element: ReactNode }[] = [
  { path: '/queue', label: 'Queue', roles: ['agent'], element: <QueuePage /> },
  { path: '/approvals', label: 'Approvals', roles: ['approver'], element: <InboxPage /> },
  { path: '/tickets/:id', roles: ['agent', 'approver', 'admin'], element: <TicketPage /> },
  { path: '/admin/staff', label: 'Staff', roles: ['admin'], element: <StaffPage /> },
  { path: '/admin/accounts', label: 'Accounts', roles: ['admin'], element: <AccountsPage /> },
  { path: '/admin/systems', label: 'Critical systems', roles: ['admin'], element: <SystemsPage /> },
  { path: '/admin/held', label: 'Held tickets', roles: ['admin'], element: <HeldPage /> },
  { path: '/admin/change-requests', label: 'Change requests', roles: ['admin'], element: <ChangeRequestsPage /> },
  { path: '/admin/outbox', label: 'Outbox', roles: ['admin'], element: <OutboxPage /> },
  { path: '/admin/directory', label: 'Directory', roles: ['admin'], element: <DirectoryPage /> },
  { path: '/reports/hygiene', label: 'Code hygiene', roles: ['admin', 'auditor'], element: <HygienePage /> },
  { path: '/audit', label: 'Audit', roles: ['auditor', 'admin'], element: <AuditPage /> },
  { path: '/drills', label: 'Drills', roles: ['drill_runner'], element: <DrillsPage /> },
];

export function App() {
  return (
    <Routes>
      {/* Links sent to employees and managers: no staff session involved. */}
      <Route path="/r/:token" element={<RedeemPage />} />
      <Route path="/c/:token" element={<CancelPage />} />
      <Route path="/n/:token" element={<NotMePage />} />
      <Route path="/a/:token" element={<AttestPage />} />
      <Route path="*" element={<Console />} />
    </Routes>
  );
}

function Console() {
  const { state, signOut } = useSession();
  if (state.status === 'checking') return <Loading what="Checking your session" />;
  if (state.status === 'signed-out') return <SignInPage notice={state.notice} />;
  const { me } = state;
  const mine = SCREENS.filter((s) => s.roles.some((r) => me.roles.includes(r)));
  const home = mine.find((s) => s.label)?.path;
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">Recovery desk</span>
        <nav aria-label="Screens">
          {mine
            .filter((s) => s.label)
            .map((s) => (
              <NavLink key={s.path} to={s.path}>
                {s.label}
              </NavLink>
            ))}
        </nav>
        <span className="whoami">
          {me.name} <small>({me.roles.join(', ')})</small>
        </span>
        <button type="button" className="link-button" onClick={() => signOut('You have signed out.')}>
          Sign out
        </button>
      </header>
      <main>
        <Routes>
          {mine.map((s) => (
            <Route key={s.path} path={s.path} element={s.element} />
          ))}
          <Route path="/" element={home ? <Navigate to={home} replace /> : <NothingForYou />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </main>
    </div>
  );
}

function NothingForYou() {
  return <p className="empty">Your roles have no screens in this console (service tokens are for other applications).</p>;
}

function NotFound() {
  return <p className="empty">There is no such page for your roles. Use the navigation above.</p>;
}
