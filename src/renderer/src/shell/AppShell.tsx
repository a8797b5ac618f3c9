import { useInspector } from '../state/InspectorContext'
import { BannerArea } from './BannerArea'
import { FolderDropTarget } from './FolderDropTarget'
import { HelpOverlay } from './HelpOverlay'
import { NavBar } from './NavBar'
import { StoreHeader } from './StoreHeader'
import { ViewOutlet } from './ViewOutlet'
import { useShortcuts } from './useShortcuts'
import '../views/common/common.css'
import './shell.css'

/**
 * AppShell is the page's frame: the store header, the navigation, banners and the view,
 * all of it a drop target for store folders.
 */
export function AppShell() {
  useShortcuts(useInspector())
  return (
    <FolderDropTarget>
      <div className="app-shell">
        <StoreHeader />
        <NavBar />
        <div className="app-shell__content">
          <BannerArea />
          <ViewOutlet />
        </div>
        <HelpOverlay />
      </div>
    </FolderDropTarget>
  )
}
