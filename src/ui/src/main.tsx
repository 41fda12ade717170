/** Entry point: reads the access token from the URL, then mounts the app. */
import { render } from 'preact'
import { initToken } from './api'
import { App } from './app'
// Order matters: later files refine earlier ones (responsive.css last).
import './styles/base.css'
import './styles/layout.css'
import './styles/conversation.css'
import './styles/workspace.css'
import './styles/permission.css'
import './styles/tools.css'
import './styles/responsive.css'

initToken()
render(<App />, document.getElementById('app')!)
