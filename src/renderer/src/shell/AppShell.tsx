import { useInspector } from '../state/InspectorContext'
import { BannerArea } from './BannerArea'
import { HelpOverlay } from './HelpOverlay'
import { NavBar } from './NavBar'
import { StoreHeader } from './StoreHeader'
import { ViewOutlet } from './ViewOutlet'
import { useShortcuts } from './useShortcuts'
import '../views/common/common.css'
import './shell.css'

/** AppShell is the page's frame: the store header, the navigation, banners and the view. */
export function AppShell() {
  useShortcuts(useInspector())
  return (
    <div className="app-shell">
      <StoreHeader />
      <NavBar />
      <div className="app-shell__content">
        <BannerArea />
        <ViewOutlet />
      </div>
      <HelpOverlay />
    </div>
  )
}
